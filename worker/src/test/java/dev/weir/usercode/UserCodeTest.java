package dev.weir.usercode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.graph.JobGraph;
import dev.weir.testing.JarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a job's code: from the runtime's class path or its own jar, and every refusal. */
class UserCodeTest {
  /** A job that checks it runs in its own class loader, as the thread's context class loader. */
  static final String JOB =
      """
      package com.example;

      import dev.weir.api.Codecs;
      import dev.weir.api.Pipeline;
      import dev.weir.api.StreamJob;
      import dev.weir.api.connectors.Sinks;
      import dev.weir.api.connectors.Sources;
      import java.util.List;

      public final class SquaresJob implements StreamJob {
        @Override
        public void define(Pipeline pipeline, List<String> args) {
          if (Thread.currentThread().getContextClassLoader() != getClass().getClassLoader()) {
            throw new IllegalStateException("define runs without the job's context class loader");
          }
          pipeline
              .source("numbers", Sources.generator(Long.parseLong(args.get(0)), i -> i).build(),
                  Codecs.LONG)
              .map("square", Squares::of, Codecs.LONG)
              .sink("discard", Sinks.discarding());
        }
      }
      """;

  static final String SQUARES =
      """
      package com.example;

      final class Squares {
        static long of(long i) {
          return i * i;
        }
      }
      """;

  @TempDir Path dir;

  private Path jobJar() throws Exception {
    return new JarBuilder()
        .source("com.example.SquaresJob", JOB)
        .source("com.example.Squares", SQUARES)
        .source("com.example.NotAJob", "package com.example; public class NotAJob {}")
        .source(
            "com.example.HiddenJob",
            """
            package com.example;
            public final class HiddenJob implements dev.weir.api.StreamJob {
              private HiddenJob() {}
              public void define(dev.weir.api.Pipeline p, java.util.List<String> args) {}
            }
            """)
        .writeTo(dir.resolve("job.jar"));
  }

  private static JobJar local(Path jar) {
    return JobJar.parse(jar.toString(), null, name -> null);
  }

  @Test
  void loadsABuiltInJobFromTheRuntimesClassPath() throws Exception {
    try (UserCode code = UserCode.load("dev.weir.jobs.WordCount", null, dir)) {
      JobGraph graph = code.define(List.of("--records", "10"));

      assertThat(graph.operatorUids()).containsExactly("sequence", "to-word", "count", "discard");
      assertThat(code.describe())
          .isEqualTo("dev.weir.jobs.WordCount from the runtime's class path");
    }
  }

  @Test
  void refusesAClassTheRuntimeDoesNotHaveNamingTheFieldAndJarUri() {
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", null, dir))
        .isInstanceOf(InvalidUserCodeException.class)
        .hasMessage(
            "spec.job.entryClass: class com.example.SquaresJob is not on the runtime's class path"
                + " (a job of your own needs spec.job.jarURI: the jar that holds it)");
    assertThatThrownBy(() -> UserCode.load("java.lang.String", null, dir))
        .hasMessage(
            "spec.job.entryClass: java.lang.String in the runtime's class path does not implement"
                + " dev.weir.api.StreamJob");
  }

  @Test
  void loadsAJobFromItsJarInItsOwnClassLoaderAndDefinesItThere() throws Exception {
    Path jar = jobJar();

    try (UserCode code = UserCode.load("com.example.SquaresJob", local(jar), dir)) {
      JobGraph graph = code.define(List.of("5"));

      assertThat(graph.operatorUids()).containsExactly("numbers", "square", "discard");
      assertThat(code.classLoader()).isInstanceOf(UserCodeClassLoader.class);
      assertThat(code.classLoader().loadClass("com.example.Squares").getClassLoader())
          .isSameAs(code.classLoader());
      assertThat(code.describe()).isEqualTo("com.example.SquaresJob from " + jar);
    }
    assertThatThrownBy(() -> Class.forName("com.example.SquaresJob"))
        .as("the job is not on the runtime's class path")
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void aClosedJobDefinesNothingAndItsLoaderIsClosed() throws Exception {
    UserCode code = UserCode.load("com.example.SquaresJob", local(jobJar()), dir);

    code.close();

    assertThat(code.isClosed()).isTrue();
    assertThat(((UserCodeClassLoader) code.classLoader()).isClosed()).isTrue();
    assertThatThrownBy(() -> code.define(List.of("5")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void refusesAMissingFileADirectoryAndAFileThatIsNoJar() throws Exception {
    Path missing = dir.resolve("missing.jar");
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", local(missing), dir))
        .isInstanceOf(InvalidUserCodeException.class)
        .hasMessage("spec.job.jarURI: " + missing + ": no such file");
    JobJar uri = JobJar.parse("file://" + missing, null, name -> null);
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", uri, dir))
        .hasMessage("spec.job.jarURI: file://" + missing + ": no such file (" + missing + ")");
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", local(dir), dir))
        .hasMessage("spec.job.jarURI: " + dir + ": not a file but a directory");

    Path text = Files.writeString(dir.resolve("notes.jar"), "not a zip");
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", local(text), dir))
        .hasMessageStartingWith("spec.job.jarURI: " + text + " is not a valid jar: ");
  }

  @Test
  void refusesATruncatedJarAndOneWithADamagedEntry() throws Exception {
    Path whole =
        new JarBuilder()
            .incompressibleFirstEntry()
            .source("com.example.SquaresJob", JOB)
            .source("com.example.Squares", SQUARES)
            .writeTo(dir.resolve("whole.jar"));
    byte[] bytes = Files.readAllBytes(whole);
    Path truncated =
        Files.write(
            dir.resolve("truncated.jar"), java.util.Arrays.copyOf(bytes, bytes.length - 40));
    Path damaged = Files.write(dir.resolve("damaged.jar"), JarBuilder.damagedCopy(whole));

    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", local(truncated), dir))
        .hasMessageStartingWith("spec.job.jarURI: " + truncated + " is not a valid jar: ");
    assertThatThrownBy(() -> UserCode.load("com.example.SquaresJob", local(damaged), dir))
        .hasMessageStartingWith(
            "spec.job.jarURI: " + damaged + " is not a valid jar: entry data.bin");
  }

  @Test
  void refusesAnEntryClassThatIsNotInTheJarOrIsNoJob() throws Exception {
    Path jar = jobJar();

    assertThatThrownBy(() -> UserCode.load("com.example.Other", local(jar), dir))
        .hasMessage("spec.job.entryClass: class com.example.Other is not in " + jar);
    assertThatThrownBy(() -> UserCode.load("com.example.NotAJob", local(jar), dir))
        .hasMessage(
            "spec.job.entryClass: com.example.NotAJob in "
                + jar
                + " does not implement dev.weir.api.StreamJob");
    assertThatThrownBy(() -> UserCode.load("com.example.HiddenJob", local(jar), dir))
        .hasMessageContaining("needs to be a public, non-abstract class with a public no-argument");
  }

  @Test
  void refusesAJobWhoseLibraryIsNotInTheJar() throws Exception {
    Path library =
        new JarBuilder()
            .source("org.example.lib.Base", "package org.example.lib; public class Base {}")
            .writeTo(dir.resolve("lib.jar"));
    Path jar =
        new JarBuilder()
            .compileAgainst(library) // but not bundled
            .source(
                "com.example.LonelyJob",
                """
                package com.example;
                public final class LonelyJob extends org.example.lib.Base
                    implements dev.weir.api.StreamJob {
                  public void define(dev.weir.api.Pipeline p, java.util.List<String> args) {}
                }
                """)
            .writeTo(dir.resolve("lonely.jar"));

    assertThatThrownBy(() -> UserCode.load("com.example.LonelyJob", local(jar), dir))
        .hasMessageContaining("spec.job.entryClass: class com.example.LonelyJob in " + jar)
        .hasMessageContaining(
            "cannot be loaded: java.lang.NoClassDefFoundError: org/example/lib/Base");
  }
}
