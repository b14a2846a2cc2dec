package dev.weir.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.StateDescriptor;
import dev.weir.api.ValueState;
import dev.weir.codec.ByteArrayWriter;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.heap.HeapKeyedStateBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How one keyed operator subtask answers queries, over a real heap backend. Single-threaded. */
class QueryableOperatorStateTest {
  private static final int MAX_PARALLELISM = 16;
  // this subtask owns the lower half of the key groups
  private static final KeyGroupRange OWNED = KeyGroupRange.of(0, 7);

  @TempDir Path dir;
  private HeapKeyedStateBackend backend;
  private ValueState<Long> views;
  private QueryableOperatorState queryable;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void open() throws Exception {
    backend = new HeapKeyedStateBackend("count", 0, OWNED, MAX_PARALLELISM, Codecs.INT, dir);
    RecordingKeyedStateStore states = new RecordingKeyedStateStore(backend);
    views = states.getState(new StateDescriptor.Value<>("views", Codecs.LONG));
    queryable =
        new QueryableOperatorState("count", backend, states, (Codec<Object>) (Codec<?>) Codecs.INT);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private static byte[] bytesOf(int key) {
    ByteArrayWriter out = new ByteArrayWriter(8);
    Codecs.INT.write(key, out);
    return out.toByteArray();
  }

  private static int keyGroupOf(int key) {
    byte[] bytes = bytesOf(key);
    return KeyGroupRangeAssignment.keyGroupOf(bytes, 0, bytes.length, MAX_PARALLELISM);
  }

  /** A key this subtask owns, as the records' route would give it. */
  private static int ownedKey(int from) {
    int key = from;
    while (!OWNED.contains(keyGroupOf(key))) {
      key++;
    }
    return key;
  }

  private static int foreignKey() {
    int key = 0;
    while (OWNED.contains(keyGroupOf(key))) {
      key++;
    }
    return key;
  }

  private StateQuery query(String state, int key) {
    return new StateQuery("count", state, bytesOf(key), keyGroupOf(key));
  }

  @Test
  void aKeyWithAValueIsFoundWithItsValueRendered() {
    int key = ownedKey(0);
    backend.setCurrentKey(key, keyGroupOf(key));
    views.update(41L);

    assertThat(queryable.answer(query("views", key)))
        .isEqualTo(new StateQueryResult.Found(new StateValue.Scalar("41")));
  }

  @Test
  void aKeyWithoutAValueIsNotFound() {
    assertThat(queryable.answer(query("views", ownedKey(0))))
        .isInstanceOf(StateQueryResult.NotFound.class);
  }

  @Test
  void anUnknownStateNameIsRejectedNamingTheStatesThatExist() {
    StateQueryResult result = queryable.answer(query("clicks", ownedKey(0)));

    assertThat(result).isInstanceOf(StateQueryResult.Rejected.class);
    StateQueryResult.Rejected rejected = (StateQueryResult.Rejected) result;
    assertThat(rejected.reason()).isEqualTo(StateQueryResult.Reason.UNKNOWN_STATE);
    assertThat(rejected.message())
        .isEqualTo("operator 'count' has no keyed state named 'clicks'; its keyed states: views");
  }

  @Test
  void aKeyGroupOfAnotherSubtaskIsRejectedRatherThanReadFromTheWrongBackend() {
    StateQueryResult result = queryable.answer(query("views", foreignKey()));

    assertThat(((StateQueryResult.Rejected) result).reason())
        .isEqualTo(StateQueryResult.Reason.FAILED);
    assertThat(((StateQueryResult.Rejected) result).message()).contains("is not in");
  }

  @Test
  void keyBytesThatDoNotDecodeAreAnInvalidKey() {
    int key = ownedKey(0);
    StateQuery truncated = new StateQuery("count", "views", new byte[] {1, 2}, keyGroupOf(key));

    assertThat(((StateQueryResult.Rejected) queryable.answer(truncated)).reason())
        .isEqualTo(StateQueryResult.Reason.INVALID_KEY);
  }

  @Test
  void answeringLeavesTheValuesOfOtherKeysAsTheyWere() {
    int a = ownedKey(0);
    int b = ownedKey(a + 1);
    backend.setCurrentKey(a, keyGroupOf(a));
    views.update(1L);
    backend.setCurrentKey(b, keyGroupOf(b));
    views.update(2L);

    queryable.answer(query("views", a));
    // the next record sets its own key, as every record does
    backend.setCurrentKey(b, keyGroupOf(b));
    assertThat(views.value()).isEqualTo(2L);
    backend.setCurrentKey(a, keyGroupOf(a));
    assertThat(views.value()).isEqualTo(1L);
  }
}
