package dev.weir.usercode;

import dev.weir.api.StreamJob;
import dev.weir.graph.InvalidJobException;
import dev.weir.graph.JobGraph;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.List;

/**
 * A job's code, loaded: the entry class ({@code spec.job.entryClass}) from the job's jar ({@code
 * spec.job.jarURI}) in its own {@link UserCodeClassLoader}, or, without a jar, from the runtime's
 * class path (the built-in jobs). The one place where the coordinator, every worker and local mode
 * get the job's classes.
 *
 * <p>{@link #load} checks everything a start needs before anything is deployed or written: the jar
 * can be fetched and read, is a whole jar (every entry's CRC), holds the entry class, and the class
 * implements {@link StreamJob} with a public no-argument constructor. {@link #close()} closes the
 * class loader: the job's runner calls it when the job ends, so a process that runs jobs one after
 * the other keeps no jar open and no class loader alive.
 *
 * <p>Thread-safe: {@link #define} is called by the job master's thread and by deployments' threads,
 * each call with its own job instance.
 */
public final class UserCode implements AutoCloseable {
  static final String JAR_FIELD = "spec.job.jarURI";
  static final String ENTRY_CLASS_FIELD = "spec.job.entryClass";

  private final Constructor<? extends StreamJob> constructor;
  private final UserCodeClassLoader loader;
  private final String origin;

  private UserCode(
      Constructor<? extends StreamJob> constructor, UserCodeClassLoader loader, String origin) {
    this.constructor = constructor;
    this.loader = loader;
    this.origin = origin;
  }

  /**
   * Loads the entry class from the jar, or from the runtime's class path when {@code jar} is null.
   *
   * @param cacheDirectory where a jar fetched from elsewhere is kept (the work directory's {@code
   *     jars/})
   * @throws InvalidUserCodeException naming the field and the jar at fault
   */
  public static UserCode load(String entryClass, JobJar jar, Path cacheDirectory)
      throws InvalidUserCodeException {
    if (jar == null) {
      ClassLoader runtime = UserCode.class.getClassLoader();
      return new UserCode(
          entryConstructor(entryClass, runtime, "the runtime's class path"),
          null,
          "the runtime's class path");
    }
    Path file = jar.fetch(cacheDirectory);
    if (!WholeJar.holdsClass(file, entryClass, jar.uri())) {
      throw new InvalidUserCodeException(
          ENTRY_CLASS_FIELD, "class " + entryClass + " is not in " + jar.uri());
    }
    UserCodeClassLoader loader = new UserCodeClassLoader(file, UserCode.class.getClassLoader());
    try {
      return new UserCode(entryConstructor(entryClass, loader, jar.uri()), loader, jar.uri());
    } catch (InvalidUserCodeException | RuntimeException | Error e) {
      loader.close();
      throw e;
    }
  }

  private static Constructor<? extends StreamJob> entryConstructor(
      String entryClass, ClassLoader loader, String origin) throws InvalidUserCodeException {
    try {
      Class<?> type = Class.forName(entryClass, false, loader);
      if (!StreamJob.class.isAssignableFrom(type)) {
        throw new InvalidUserCodeException(
            ENTRY_CLASS_FIELD,
            entryClass + " in " + origin + " does not implement " + StreamJob.class.getName());
      }
      if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
        throw new NoSuchMethodException();
      }
      return type.asSubclass(StreamJob.class).getConstructor();
    } catch (ClassNotFoundException e) {
      throw new InvalidUserCodeException(
          ENTRY_CLASS_FIELD,
          "class "
              + entryClass
              + " is not on "
              + origin
              + " (a job of your own needs spec.job.jarURI: the jar that holds it)");
    } catch (NoSuchMethodException e) {
      throw new InvalidUserCodeException(
          ENTRY_CLASS_FIELD,
          entryClass
              + " in "
              + origin
              + " needs to be a public, non-abstract class with a public no-argument constructor");
    } catch (
        LinkageError e) { // a class it needs is missing from the jar, or was built for a newer JDK
      throw new InvalidUserCodeException(
          ENTRY_CLASS_FIELD,
          "class " + entryClass + " in " + origin + " cannot be loaded: " + e,
          e);
    }
  }

  /**
   * A new instance of the job defines its pipeline from {@code args}, with the job's class loader
   * as the thread's context class loader meanwhile.
   *
   * @throws InvalidJobException when the job cannot be instantiated or its {@code define} fails
   * @throws IllegalStateException after {@link #close()}
   */
  public JobGraph define(List<String> args) {
    if (loader != null && loader.isClosed()) {
      throw new IllegalStateException("the class loader of " + origin + " is closed");
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(classLoader());
    try {
      return JobGraph.of(newJob(), args);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private StreamJob newJob() {
    try {
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new InvalidJobException(
          "the constructor of "
              + constructor.getDeclaringClass().getName()
              + " failed: "
              + e.getCause(),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new InvalidJobException(
          "cannot instantiate " + constructor.getDeclaringClass().getName() + ": " + e, e);
    }
  }

  /** The class loader of the job's classes (the runtime's own without a jar). */
  public ClassLoader classLoader() {
    return loader != null ? loader : UserCode.class.getClassLoader();
  }

  /** The entry class's name and where it comes from, for messages. */
  public String describe() {
    return constructor.getDeclaringClass().getName() + " from " + origin;
  }

  /** Whether the job's own class loader was closed (never, for the runtime's class path). */
  public boolean isClosed() {
    return loader != null && loader.isClosed();
  }

  /** Closes the job's class loader (and with it its jar); idempotent. */
  @Override
  public void close() {
    if (loader != null) {
      loader.close();
    }
  }
}
