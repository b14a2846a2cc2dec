package dev.weir.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBrokerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** Shared by the tests that leave the broker running; the kill/restart test has its own. */
  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void closeBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void readCommittedConsumersSeeCommittedTransactionsOnlyAndNeverAbortedOnes() {
    broker.createTopic("orders", 2);
    try (KafkaProducer<String, String> producer = transactionalProducer(broker, "orders-tx")) {
      producer.initTransactions();
      inTransaction(producer, "orders", List.of("committed-1", "committed-2", "committed-3"));
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("orders", "aborted-1", "aborted-1"));
      producer.send(new ProducerRecord<>("orders", "aborted-2", "aborted-2"));
      producer.flush();
      producer.abortTransaction();
      inTransaction(producer, "orders", List.of("committed-4"));
    }

    assertThat(readToEnd(broker, "orders", "read_committed"))
        .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3", "committed-4");
    // the aborted records were written all the same: only the isolation level hides them
    assertThat(readToEnd(broker, "orders", "read_uncommitted"))
        .containsExactlyInAnyOrder(
            "committed-1", "committed-2", "committed-3", "aborted-1", "aborted-2", "committed-4");
  }

  @Test
  void refusesToCreateATopicThatAProducerAsksFor() {
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                3000),
            new StringSerializer(),
            new StringSerializer())) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>("missing", "x")).get())
          .hasStackTraceContaining("not present in metadata");
    }
    try (Admin admin = broker.admin()) {
      assertThat(names(admin)).doesNotContain("missing");
    }
  }

  @Test
  void listensOnLoopbackOnly() {
    for (int port : List.of(broker.port(), broker.controllerPort())) {
      assertThat(accepts(InetAddress.getLoopbackAddress(), port)).as("127.0.0.1:%d", port).isTrue();
      Optional<InetAddress> external = nonLoopbackAddress();
      assertThat(external).as("an address of this machine other than loopback").isPresent();
      assertThat(accepts(external.get(), port)).as("%s:%d", external.get(), port).isFalse();
    }
    assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
  }

  @Test
  void keepsCommittedDataAcrossASigkillAndAbortsTheTransactionThatWasOpen() throws Exception {
    KafkaBroker own = KafkaBroker.start();
    try {
      own.createTopic("payments", 1);
      try (KafkaProducer<String, String> producer = transactionalProducer(own, "payments-tx")) {
        producer.initTransactions();
        inTransaction(producer, "payments", List.of("before-kill-1", "before-kill-2"));
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("payments", "open", "open"));
        producer.flush();
        long pidBefore = own.pid();

        own.kill();
        assertThat(own.isRunning()).isFalse();
        try (Admin admin = shortLivedAdmin(own)) {
          assertThatThrownBy(
                  () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS),
                  "the broker is down")
              .isInstanceOf(Exception.class);
        }

        own.restart();
        assertThat(own.pid()).isNotEqualTo(pidBefore);
        producer.close(Duration.ZERO);
      }
      // A new producer with the same transactional.id fences the old one and aborts its open
      // transaction; only then can a read_committed consumer read past it.
      try (KafkaProducer<String, String> producer = transactionalProducer(own, "payments-tx")) {
        producer.initTransactions();
        inTransaction(producer, "payments", List.of("after-restart"));
      }
      assertThat(readToEnd(own, "payments", "read_committed"))
          .containsExactly("before-kill-1", "before-kill-2", "after-restart");
    } finally {
      own.close();
    }
    assertThat(own.isRunning()).isFalse();
    assertThat(Files.exists(own.logDir())).isFalse();
  }

  @Test
  void runsWithTheTestBedSettings() {
    assertThat(broker.transactionMaxTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(broker.setting("auto.create.topics.enable")).isEqualTo("false");
    assertThat(broker.logFile()).content().contains("Kafka Server started");
  }

  @Test
  void refusesATransactionTimeoutAboveTheMaximumATestSet() {
    try (KafkaBroker own = KafkaBroker.start(Map.of("transaction.max.timeout.ms", "60000"))) {
      assertThat(own.transactionMaxTimeout()).isEqualTo(Duration.ofMinutes(1));
      Map<String, Object> config =
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              own.bootstrapServers(),
              ProducerConfig.TRANSACTIONAL_ID_CONFIG,
              "too-long",
              ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
              120_000);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
        // kafka-clients 4.4 reports INVALID_TRANSACTION_TIMEOUT as a plain KafkaException
        assertThatThrownBy(producer::initTransactions)
            .hasMessageContaining("transaction.max.timeout.ms");
      }
    }
  }

  private static KafkaProducer<String, String> transactionalProducer(
      KafkaBroker broker, String transactionalId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            transactionalId,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            (int) WAIT.toMillis()),
        new StringSerializer(),
        new StringSerializer());
  }

  private static void inTransaction(
      KafkaProducer<String, String> producer, String topic, List<String> values) {
    producer.beginTransaction();
    for (String value : values) {
      producer.send(new ProducerRecord<>(topic, value, value));
    }
    producer.commitTransaction();
  }

  /**
   * Every value a consumer with the given isolation level reads from the beginning of every
   * partition up to the end offsets it is shown (the last stable offset for read_committed).
   */
  private static List<String> readToEnd(KafkaBroker broker, String topic, String isolation) {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<String> values = new ArrayList<>();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, String> record :
                    consumer.poll(Duration.ofMillis(200))) {
                  values.add(record.value());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
      return values;
    }
  }

  private static Admin shortLivedAdmin(KafkaBroker broker) {
    return Admin.create(
        Map.of(
            "bootstrap.servers", broker.bootstrapServers(),
            "request.timeout.ms", 2000,
            "default.api.timeout.ms", 3000));
  }

  private static List<String> names(Admin admin) {
    try {
      return new ArrayList<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean accepts(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 2000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() {
    try {
      return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .filter(KafkaBrokerIT::isUp)
          .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
          .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
          .findFirst();
    } catch (SocketException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isUp(NetworkInterface networkInterface) {
    try {
      return networkInterface.isUp() && !networkInterface.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }
}
