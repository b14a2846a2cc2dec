package dev.weir.usercode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.Version;
import dev.weir.api.StreamJob;
import dev.weir.testing.JarBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * Which side a job's class loader takes a class or resource from: the job's jar first, except the
 * JDK, the API and SLF4J.
 */
class UserCodeClassLoaderTest {
  @TempDir Path dir;
  private UserCodeClassLoader loader;

  @BeforeEach
  void aJarWithALibraryOfItsOwnAndCopiesOfSharedClasses() throws Exception {
    Path jar =
        new JarBuilder()
            .source("com.example.OnlyInTheJar", "package com.example; public class OnlyInTheJar {}")
            .copyOf(Version.class) // the runtime has Jackson too
            .copyOf(StreamJob.class)
            .copyOf(Logger.class)
            .copyOf(String.class)
            .copyOf(DocumentBuilder.class)
            .entry("logback.xml", "<configuration/>".getBytes(StandardCharsets.UTF_8))
            .writeTo(dir.resolve("job.jar"));
    loader = new UserCodeClassLoader(jar, UserCodeClassLoaderTest.class.getClassLoader());
  }

  @AfterEach
  void close() {
    loader.close();
  }

  @Test
  void aLibraryClassInTheJarWinsOverTheRuntimesCopy() throws Exception {
    Class<?> version = loader.loadClass(Version.class.getName());

    assertThat(version).isNotSameAs(Version.class);
    assertThat(version.getClassLoader()).isSameAs(loader);
    assertThat(loader.loadClass("com.example.OnlyInTheJar").getClassLoader()).isSameAs(loader);
  }

  @Test
  void whatTheJarLacksComesFromTheRuntime() throws Exception {
    assertThat(loader.loadClass(JsonFactory.class.getName())).isSameAs(JsonFactory.class);
    assertThatThrownBy(() -> loader.loadClass("com.example.Nowhere"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void theApiSlf4jAndTheJdkAlwaysComeFromTheRuntime() throws Exception {
    assertThat(loader.loadClass(StreamJob.class.getName())).isSameAs(StreamJob.class);
    assertThat(loader.loadClass(Logger.class.getName())).isSameAs(Logger.class);
    assertThat(loader.loadClass(String.class.getName())).isSameAs(String.class);
    assertThat(loader.loadClass(DocumentBuilder.class.getName())).isSameAs(DocumentBuilder.class);
  }

  @Test
  void resourcesAreLookedUpInTheJarFirstExceptTheApisAndTheJdks() throws Exception {
    assertThat(loader.getResource("logback.xml").toString()).contains("job.jar!");
    assertThat(loader.getResources("logback.xml").nextElement().toString()).contains("job.jar!");

    assertThat(loader.getResource("dev/weir/api/StreamJob.class"))
        .isEqualTo(StreamJob.class.getResource("StreamJob.class"));
    assertThat(loader.getResource("java/lang/String.class").toString()).startsWith("jrt:");
  }

  @Test
  void aClosedLoaderLoadsNothingNewFromTheJar() throws Exception {
    loader.loadClass("com.example.OnlyInTheJar");

    loader.close();

    assertThat(loader.isClosed()).isTrue();
    assertThat(loader.loadClass("com.example.OnlyInTheJar")).isNotNull(); // loaded before
    assertThat(loader.loadClass(Version.class.getName())).isSameAs(Version.class);
  }
}
