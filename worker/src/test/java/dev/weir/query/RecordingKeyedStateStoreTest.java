package dev.weir.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.api.Codecs;
import dev.weir.api.ListState;
import dev.weir.api.MapState;
import dev.weir.api.ReducingState;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.heap.HeapKeyedStateBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decorator an operator's function gets, over a real heap backend. Single-threaded. */
class RecordingKeyedStateStoreTest {
  private static final int MAX_PARALLELISM = 8;

  @TempDir Path dir;
  private HeapKeyedStateBackend backend;
  private RecordingKeyedStateStore store;

  @BeforeEach
  void createBackend() throws Exception {
    backend =
        new HeapKeyedStateBackend(
            "op", 0, KeyGroupRange.of(0, MAX_PARALLELISM - 1), MAX_PARALLELISM, Codecs.STRING, dir);
    store = new RecordingKeyedStateStore(backend);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void theFunctionGetsTheBackendsOwnHandlesSoWritesReachTheBackend() {
    ValueState<Long> viaStore = store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    ValueState<Long> direct = backend.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    backend.setCurrentKey("a", 1);
    viaStore.update(5L);
    assertThat(direct.value()).isEqualTo(5L);
  }

  @Test
  void everyStateIsRememberedByItsNameInTheOrderObtained() {
    store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    store.getListState(new StateDescriptor.ListOf<>("seen", Codecs.STRING));
    store.getMapState(new StateDescriptor.MapOf<>("by-page", Codecs.STRING, Codecs.INT));
    store.getReducingState(new StateDescriptor.Reducing<>("total", Long::sum, Codecs.LONG));

    assertThat(store.names()).containsExactly("count", "seen", "by-page", "total");
    assertThat(store.contains("seen")).isTrue();
    assertThat(store.contains("unseen")).isFalse();
  }

  @Test
  void readingRendersEachKindOfStateForTheCurrentKey() {
    ValueState<Long> count = store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    ListState<String> seen =
        store.getListState(new StateDescriptor.ListOf<>("seen", Codecs.STRING));
    MapState<String, Integer> byPage =
        store.getMapState(new StateDescriptor.MapOf<>("by-page", Codecs.STRING, Codecs.INT));
    ReducingState<Long> total =
        store.getReducingState(new StateDescriptor.Reducing<>("total", Long::sum, Codecs.LONG));
    backend.setCurrentKey("a", 1);
    count.update(3L);
    seen.add("x");
    seen.add("y");
    byPage.put("/home", 2);
    total.add(4L);
    total.add(6L);

    assertThat(store.read("count")).isEqualTo(new StateValue.Scalar("3"));
    assertThat(store.read("seen")).isEqualTo(new StateValue.Elements(List.of("x", "y")));
    assertThat(store.read("by-page")).isEqualTo(new StateValue.Entries(Map.of("/home", "2")));
    assertThat(store.read("total")).isEqualTo(new StateValue.Scalar("10"));
  }

  @Test
  void aKeyWithoutValueReadsAsNothingForEveryKind() {
    store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    store.getListState(new StateDescriptor.ListOf<>("seen", Codecs.STRING));
    store.getMapState(new StateDescriptor.MapOf<>("by-page", Codecs.STRING, Codecs.INT));
    store.getReducingState(new StateDescriptor.Reducing<>("total", Long::sum, Codecs.LONG));
    backend.setCurrentKey("nobody", 2);

    for (String name : store.names()) {
      assertThat(store.read(name)).as(name).isNull();
    }
  }

  @Test
  void readingChangesNoState() {
    ValueState<Long> count = store.getState(new StateDescriptor.Value<>("count", Codecs.LONG));
    MapState<String, Integer> byPage =
        store.getMapState(new StateDescriptor.MapOf<>("by-page", Codecs.STRING, Codecs.INT));
    backend.setCurrentKey("a", 1);
    count.update(1L);
    byPage.put("/home", 1);
    long size = backend.estimatedSizeBytes();

    store.read("count");
    store.read("by-page");
    backend.setCurrentKey("b", 3);
    store.read("count");
    store.read("by-page");

    assertThat(backend.estimatedSizeBytes()).isEqualTo(size);
    assertThat(count.value()).isNull();
    backend.setCurrentKey("a", 1);
    assertThat(count.value()).isEqualTo(1L);
    assertThat(byPage.entries()).containsExactly(Map.entry("/home", 1));
  }

  @Test
  void readingAStateThatWasNeverObtainedSaysSo() {
    assertThatThrownBy(() -> store.read("views"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("views");
  }
}
