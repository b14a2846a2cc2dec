package dev.weir.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.checkpoint.TaskId;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.connectors.DiscardingSink;
import dev.weir.connectors.GeneratorSource;
import dev.weir.graph.Exchange;
import dev.weir.graph.JobGraph;
import dev.weir.jobs.PageViewCount;
import dev.weir.runtime.io.Buffer;
import dev.weir.runtime.io.ChannelEvent;
import dev.weir.runtime.io.OutputChannel;
import dev.weir.runtime.io.RecordWriter;
import dev.weir.state.KeyGroupRangeAssignment;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateQueryRouterTest {
  private static final int PARALLELISM = 3;
  private static final int MAX_PARALLELISM = 128;

  private static JobGraph pageViews() {
    return JobGraph.of(new PageViewCount(), List.of("--events", "100", "--keys", "10"));
  }

  /** An output channel that only counts what it is sent. */
  private static final class CountingChannel implements OutputChannel {
    int buffers;

    @Override
    public Buffer requestBuffer() {
      return new Buffer(1024);
    }

    @Override
    public void send(Buffer buffer) {
      buffers++;
    }

    @Override
    public void send(ChannelEvent event) {}

    @Override
    public void release(Buffer buffer) {}
  }

  /** The subtask the job's own exchange sends a record with this key to. */
  private static int subtaskTheRecordsGoTo(JobGraph graph, long event) {
    Exchange exchange = graph.stages().get(1).input();
    CountingChannel[] channels = new CountingChannel[PARALLELISM];
    for (int i = 0; i < PARALLELISM; i++) {
      channels[i] = new CountingChannel();
    }
    RecordWriter writer = new RecordWriter(exchange, channels, MAX_PARALLELISM, 0);
    writer.collect(event);
    writer.flush();
    for (int i = 0; i < PARALLELISM; i++) {
      if (channels[i].buffers > 0) {
        return i;
      }
    }
    throw new AssertionError("the record went nowhere");
  }

  @Test
  void aKeyIsRoutedToTheSubtaskItsRecordsGoTo() {
    JobGraph graph = pageViews();
    StateQueryRouter router = new StateQueryRouter(graph, PARALLELISM, MAX_PARALLELISM);
    for (int app = 0; app < 10; app++) {
      StateQueryRouter.Route route = router.route("count-per-app", "views", String.valueOf(app));

      // event i belongs to app i % 10: event `app` has key `app`
      assertThat(route.task())
          .as("app %d", app)
          .isEqualTo(new TaskId(1, subtaskTheRecordsGoTo(graph, app)));
    }
  }

  @Test
  void theQueryCarriesTheKeyAsTheKeyCodecWritesItAndItsKeyGroup() {
    StateQueryRouter router = new StateQueryRouter(pageViews(), PARALLELISM, MAX_PARALLELISM);
    StateQueryRouter.Route route = router.route("count-per-app", "views", "7");

    ByteArrayWriter expected = new ByteArrayWriter(4);
    Codecs.INT.write(7, expected);
    byte[] bytes = expected.toByteArray();
    int keyGroup = KeyGroupRangeAssignment.keyGroupOf(bytes, 0, bytes.length, MAX_PARALLELISM);
    assertThat(route.query()).isEqualTo(new StateQuery("count-per-app", "views", bytes, keyGroup));
    assertThat(route.task().subtask())
        .isEqualTo(
            KeyGroupRangeAssignment.subtaskForKeyGroup(MAX_PARALLELISM, PARALLELISM, keyGroup));
    assertThat(
            KeyGroupRangeAssignment.rangeForSubtask(
                    MAX_PARALLELISM, PARALLELISM, route.task().subtask())
                .contains(keyGroup))
        .isTrue();
  }

  @Test
  void anUnknownOperatorIsRejectedNamingTheOperatorsWithKeyedState() {
    StateQueryRouter router = new StateQueryRouter(pageViews(), PARALLELISM, MAX_PARALLELISM);

    assertThatThrownBy(() -> router.route("count", "views", "1"))
        .isInstanceOfSatisfying(
            StateQueryRouter.RejectedQueryException.class,
            e -> {
              assertThat(e.result().reason()).isEqualTo(StateQueryResult.Reason.UNKNOWN_OPERATOR);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "the job has no operator 'count'; operators with keyed state: count-per-app");
            });
  }

  @Test
  void anOperatorWithoutKeyedStateIsRejectedAsUnknown() {
    StateQueryRouter router = new StateQueryRouter(pageViews(), PARALLELISM, MAX_PARALLELISM);

    assertThatThrownBy(() -> router.route("page-views", "views", "1"))
        .isInstanceOfSatisfying(
            StateQueryRouter.RejectedQueryException.class,
            e ->
                assertThat(e.getMessage())
                    .startsWith("operator 'page-views' has no keyed state; operators with"));
  }

  @Test
  void aKeyThatDoesNotParseForTheOperatorsKeyTypeIsInvalid() {
    StateQueryRouter router = new StateQueryRouter(pageViews(), PARALLELISM, MAX_PARALLELISM);

    assertThatThrownBy(() -> router.route("count-per-app", "views", "app-7"))
        .isInstanceOfSatisfying(
            StateQueryRouter.RejectedQueryException.class,
            e -> {
              assertThat(e.result().reason()).isEqualTo(StateQueryResult.Reason.INVALID_KEY);
              assertThat(e.getMessage())
                  .isEqualTo("operator 'count-per-app': 'app-7' is not an int key");
            });
  }

  @Test
  void keysOfACustomCodecCannotBeGivenAsText() {
    Codec<String> custom =
        new Codec<>() {
          @Override
          public void write(String value, BinaryWriter out) {
            out.writeString(value);
          }

          @Override
          public String read(BinaryReader in) {
            return in.readString();
          }
        };
    JobGraph graph =
        JobGraph.of(
            (pipeline, args) ->
                pipeline
                    .source("numbers", new GeneratorSource<>(10, 1, 0, i -> i), Codecs.LONG)
                    .keyBy(i -> "k" + i, custom)
                    .process("per-key", (key, value, out) -> out.collect(value), Codecs.LONG)
                    .sink("out", new DiscardingSink<>()),
            List.of());
    StateQueryRouter router = new StateQueryRouter(graph, PARALLELISM, MAX_PARALLELISM);

    assertThat(router.keyedOperators()).containsExactly("per-key");
    assertThatThrownBy(() -> router.route("per-key", "s", "k1"))
        .isInstanceOfSatisfying(
            StateQueryRouter.RejectedQueryException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("keys of this operator cannot be given as text"));
  }
}
