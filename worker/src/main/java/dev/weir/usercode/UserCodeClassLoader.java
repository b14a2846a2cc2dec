package dev.weir.usercode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads a job's classes from its jar, <b>child-first</b>: a class or resource in the jar wins over
 * one of the same name on the runtime's class path, so a job may bring its own version of a library
 * the runtime also uses (Jackson, Protobuf, gRPC, ...). Only what both sides must share is loaded
 * <b>parent-first</b>, from the runtime:
 *
 * <ul>
 *   <li>the JDK: every package of a module of the boot layer ({@code java.*}, {@code javax.*} of
 *       the JDK, {@code jdk.*}, {@code org.w3c.dom}, ...);
 *   <li>{@code dev.weir.api}: the types the runtime and the job exchange (a copy bundled in the jar
 *       by mistake is ignored);
 *   <li>{@code org.slf4j}: a job logs through the runtime's SLF4J and its configuration, into the
 *       process's log.
 * </ul>
 *
 * What the jar does not hold is looked up in the runtime's class path after the jar (so a job that
 * leaves out a library the runtime has still runs, on the runtime's version of it).
 *
 * <p>Thread-safe (parallel capable, as {@link URLClassLoader}). {@link #close()} closes the jar:
 * classes loaded already keep working, new ones can no longer be loaded.
 */
public final class UserCodeClassLoader extends URLClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  /** Name prefixes always loaded from the runtime (besides the JDK's packages). */
  public static final List<String> PARENT_FIRST_PREFIXES = List.of("dev.weir.api.", "org.slf4j.");

  private static final Set<String> JDK_PACKAGES =
      ModuleLayer.boot().modules().stream()
          .flatMap(module -> module.getPackages().stream())
          .collect(Collectors.toUnmodifiableSet());

  private volatile boolean closed;

  public UserCodeClassLoader(Path jar, ClassLoader parent) {
    super("job " + jar.getFileName(), new URL[] {url(jar)}, parent);
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("not a file: " + jar, e);
    }
  }

  /** Whether {@code className} (binary name) is always loaded from the runtime. */
  static boolean isParentFirst(String className) {
    int dot = className.lastIndexOf('.');
    if (dot > 0 && JDK_PACKAGES.contains(className.substring(0, dot))) {
      return true;
    }
    for (String prefix : PARENT_FIRST_PREFIXES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return className.startsWith("java.");
  }

  private static boolean isParentFirstResource(String resource) {
    String name = resource.startsWith("/") ? resource.substring(1) : resource;
    int slash = name.lastIndexOf('/');
    return slash > 0 && isParentFirst(name.substring(0, slash).replace('/', '.') + ".x");
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isParentFirst(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> type = findLoadedClass(name);
      if (type == null) {
        try {
          type = findClass(name);
        } catch (ClassNotFoundException notInTheJar) {
          type = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(type);
      }
      return type;
    }
  }

  @Override
  public URL getResource(String name) {
    if (isParentFirstResource(name)) {
      return super.getResource(name);
    }
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (isParentFirstResource(name)) {
      return super.getResources(name);
    }
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
    try {
      super.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the job's jar", e);
    }
  }
}
