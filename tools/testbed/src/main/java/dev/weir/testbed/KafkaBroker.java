package dev.weir.testbed;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * A real Apache Kafka broker: one KRaft node (broker and controller in one JVM, no ZooKeeper) run
 * by {@code tools/testbed/kafka/kafka-broker.sh} as a child process of the test, with a fresh log
 * directory, a random cluster id and free ports on 127.0.0.1, so nothing outside the machine
 * reaches it. Its class path is the test bed's Kafka install ({@link Testbed#kafkaLibs()}).
 *
 * <p>Settings: {@code tools/testbed/kafka/broker.properties} (one replica for every internal topic;
 * transactions commit with one in-sync replica; a group's first rebalance without delay; no
 * automatic topic creation, so a missing topic is an error the client sees; {@code
 * transaction.max.timeout.ms} 15 minutes, Kafka's default), then whatever the test passes to {@link
 * #start(Map)}. Heap: 512 MiB.
 *
 * <p>{@link #kill()} SIGKILLs the JVM; {@link #restart()} starts it again on the same ports and log
 * directory, so what was committed survives. {@link #close()} kills it and deletes the directory.
 * Owned by the test that started it; the lifecycle is synchronized, so a test may kill the broker
 * from another thread.
 */
public final class KafkaBroker implements AutoCloseable {
  // about 20 s here with other builds on the same two cores; a cold JVM on a busy machine is slower
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final String HEAP = "512m";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ScratchDirectory dir;
  private final int port;
  private final int controllerPort;
  private final ServerProcess process;

  private KafkaBroker(Map<String, String> settings) {
    this.dir = ScratchDirectory.create("weir-kafka-");
    this.port = FreePort.pick();
    int controller = FreePort.pick();
    while (controller == port) {
      controller = FreePort.pick();
    }
    this.controllerPort = controller;
    List<String> command =
        new ArrayList<>(
            List.of(
                "bash",
                Testbed.kafkaBrokerScript().toString(),
                "--dir",
                dir.path().toString(),
                "--host",
                LOOPBACK.getHostAddress(),
                "--port",
                Integer.toString(port),
                "--controller-port",
                Integer.toString(controllerPort),
                "--heap",
                HEAP));
    new TreeMap<>(settings)
        .forEach(
            (key, value) -> {
              command.add("--set");
              command.add(key + "=" + value);
            });
    this.process =
        new ServerProcess(
            "kafka broker",
            command,
            Map.of(
                "KAFKA_LIBS", Testbed.kafkaLibs().toString(),
                "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
            dir.path().resolve("broker.log"),
            STARTUP_TIMEOUT,
            this::servesClients);
  }

  /** Starts a broker with the test bed's settings and returns once it serves clients. */
  public static KafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts a broker whose settings are the test bed's overridden by {@code settings} (broker
   * configuration keys, e.g. {@code transaction.max.timeout.ms}), and returns once it serves
   * clients.
   */
  public static KafkaBroker start(Map<String, String> settings) {
    KafkaBroker broker = new KafkaBroker(settings);
    try {
      broker.process.start();
      return broker;
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  private boolean servesClients() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
    }
    try (Admin admin = admin()) {
      return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
    }
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return LOOPBACK.getHostAddress() + ":" + port;
  }

  /** The port of the client listener. */
  public int port() {
    return port;
  }

  /** The port of the KRaft controller listener (this node talks to itself there). */
  public int controllerPort() {
    return controllerPort;
  }

  /** An Admin client of this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) ADMIN_TIMEOUT.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            (int) ADMIN_TIMEOUT.toMillis()));
  }

  /**
   * Creates a topic with one replica and returns once every partition has its leader in the
   * broker's metadata, so producers and consumers can use it at once.
   */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      Poll.until(
          "the leaders of topic " + name,
          ADMIN_TIMEOUT,
          () -> {
            TopicDescription topic =
                admin
                    .describeTopics(List.of(name))
                    .allTopicNames()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(name);
            return topic.partitions().size() == partitions
                && topic.partitions().stream().allMatch(p -> p.leader() != null);
          });
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + name, e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topic " + name + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * A setting of the running broker as its {@code server.properties} has it (the test bed's value
   * or the test's override), or null when it is left to Kafka's default.
   */
  public String setting(String key) {
    Properties properties = new Properties();
    try (Reader in =
        Files.newBufferedReader(dir.path().resolve("server.properties"), StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the broker's server.properties", e);
    }
    return properties.getProperty(key);
  }

  /**
   * The longest {@code transaction.timeout.ms} a producer may ask for ({@code
   * transaction.max.timeout.ms}; 15 minutes unless the test overrode it).
   */
  public Duration transactionMaxTimeout() {
    return Duration.ofMillis(Long.parseLong(setting("transaction.max.timeout.ms")));
  }

  /** The broker's log directory: its topics' data and the KRaft metadata log. */
  public Path logDir() {
    return dir.path().resolve("data");
  }

  /**
   * The broker's own output (Kafka's log4j log, the format step), appended across restarts; for
   * diagnostics. Deleted by {@link #close()}.
   */
  public Path logFile() {
    return process.log();
  }

  /** The process id of the broker's JVM. */
  public long pid() {
    return process.pid();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** SIGKILLs the broker's JVM: clients lose it at once, its log directory stays as it was. */
  public void kill() {
    process.kill();
  }

  /**
   * Starts the broker again (killing it first if it runs) on the same ports with the same log
   * directory, and returns once it serves clients.
   */
  public void restart() {
    process.start();
  }

  /** Kills the broker and deletes its directory (log directory and log file). */
  @Override
  public void close() {
    process.close();
    dir.close();
  }
}
