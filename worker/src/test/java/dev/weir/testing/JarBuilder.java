package dev.weir.testing;

import dev.weir.api.StreamJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a job's jar at test time, as a job author's build would: sources compiled against the
 * weir-api classes alone (plus libraries named with {@link #compileAgainst}), packed with copies of
 * other classes, whole library jars (a fat jar) and resources. Not thread-safe; one per jar.
 */
public final class JarBuilder {
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final List<Path> compileClassPath = new ArrayList<>(List.of(apiClasses()));
  private final List<Path> libraries = new ArrayList<>();
  private final Map<String, byte[]> entries = new LinkedHashMap<>();

  /** Where the weir-api classes are (its jar or classes directory): all a job compiles against. */
  public static Path apiClasses() {
    try {
      return Path.of(StreamJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A class of the job, compiled from {@code code}. */
  public JarBuilder source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /** A library the sources compile against, without packing it. */
  public JarBuilder compileAgainst(Path jar) {
    compileClassPath.add(jar);
    return this;
  }

  /** A library the jar bundles: every entry of {@code jar} but its manifest and signatures. */
  public JarBuilder bundle(Path jar) {
    compileAgainst(jar);
    libraries.add(jar);
    return this;
  }

  /** A copy of the class file of {@code type}, from wherever it was loaded. */
  public JarBuilder copyOf(Class<?> type) {
    String name = type.getName().replace('.', '/') + ".class";
    try (InputStream in = ClassLoader.getSystemResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no class file " + name);
      }
      return entry(name, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JarBuilder entry(String name, byte[] bytes) {
    entries.put(name, bytes);
    return this;
  }

  /** Where {@link #damagedCopy} damages a jar built with {@link #incompressibleFirstEntry}. */
  private static final int DAMAGE_OFFSET = 2_000;

  /**
   * A first entry {@code data.bin} of 64 KiB that does not compress, so that the byte at {@link
   * #damagedCopy}'s offset lies in its data (not in a header, which a reader may not check).
   */
  public JarBuilder incompressibleFirstEntry() {
    byte[] data = new byte[65_536];
    new java.util.Random(42).nextBytes(data);
    return entry("data.bin", data);
  }

  /** A copy of {@code jar} with one byte of its first entry's data changed. */
  public static byte[] damagedCopy(Path jar) throws IOException {
    byte[] bytes = Files.readAllBytes(jar);
    bytes[DAMAGE_OFFSET] ^= 0x55;
    return bytes;
  }

  /** Compiles, packs and writes the jar to {@code jar}; returns it. */
  public Path writeTo(Path jar) throws IOException {
    Path work = Files.createTempDirectory("weir-jar-");
    try {
      Map<String, byte[]> all = new LinkedHashMap<>(entries); // first in the file
      for (Path library : libraries) {
        copyEntries(library, all);
      }
      all.putAll(compile(work));
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
          out.putNextEntry(new ZipEntry(e.getKey()));
          out.write(e.getValue());
          out.closeEntry();
        }
      }
      return jar;
    } finally {
      try (Stream<Path> paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private Map<String, byte[]> compile(Path work) throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    if (sources.isEmpty()) {
      return classes;
    }
    Path src = Files.createDirectories(work.resolve("src"));
    Path out = Files.createDirectories(work.resolve("classes"));
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--release", "17", "-proc:none", "-d", out.toString(), "-classpath"));
    args.add(compileClassPath.stream().map(Path::toString).collect(Collectors.joining(":")));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
    if (javac.run(null, OutputStream.nullOutputStream(), errors, args.toArray(String[]::new))
        != 0) {
      throw new IllegalStateException("the job's sources do not compile:\n" + errors);
    }
    try (Stream<Path> files = Files.walk(out)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        classes.put(out.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
    }
    return classes;
  }

  private static void copyEntries(Path jar, Map<String, byte[]> into) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String name = entry.getName();
        if (entry.isDirectory()
            || name.equals("META-INF/MANIFEST.MF")
            || name.matches("META-INF/[^/]+\\.(SF|RSA|DSA)")
            || name.endsWith("module-info.class")) {
          continue;
        }
        try (InputStream in = zip.getInputStream(entry)) {
          into.put(name, in.readAllBytes());
        }
      }
    }
  }
}
