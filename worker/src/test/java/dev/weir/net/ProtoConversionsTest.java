package dev.weir.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.proto.runtime.QueryResult;
import dev.weir.proto.runtime.QueryState;
import dev.weir.query.StateQuery;
import dev.weir.query.StateQueryResult;
import dev.weir.query.StateValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** State queries and their answers survive the control stream's wire form unchanged. */
class ProtoConversionsTest {

  @Test
  void aQueryCrossesTheWireWithItsKeyBytesAndKeyGroup() throws Exception {
    StateQuery query = new StateQuery("count-per-app", "views", new byte[] {0, 0, 0, 7}, 93);

    QueryState wire = QueryState.parseFrom(ProtoConversions.toProto(11, 2, 1, query).toByteArray());

    assertThat(wire.getRequestId()).isEqualTo(11);
    assertThat(wire.getAttempt()).isEqualTo(2);
    assertThat(wire.getStage()).isEqualTo(1);
    assertThat(ProtoConversions.fromProto(wire)).isEqualTo(query);
  }

  @Test
  void everyKindOfAnswerCrossesTheWire() throws Exception {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("/b", "2");
    entries.put("/a", "1");
    List<StateQueryResult> answers =
        List.of(
            new StateQueryResult.Found(new StateValue.Scalar("41")),
            new StateQueryResult.Found(new StateValue.Scalar("")),
            new StateQueryResult.Found(new StateValue.Elements(List.of("x", "y"))),
            new StateQueryResult.Found(new StateValue.Entries(entries)),
            new StateQueryResult.NotFound(),
            new StateQueryResult.Rejected(StateQueryResult.Reason.UNKNOWN_STATE, "no 'clicks'"),
            new StateQueryResult.Rejected(StateQueryResult.Reason.FAILED, "boom"),
            new StateQueryResult.Rejected(StateQueryResult.Reason.UNAVAILABLE, "ended"));
    for (StateQueryResult answer : answers) {
      QueryResult wire = QueryResult.parseFrom(ProtoConversions.toProto(5, answer).toByteArray());

      assertThat(wire.getRequestId()).isEqualTo(5);
      assertThat(ProtoConversions.fromProto(wire)).isEqualTo(answer);
    }
  }

  @Test
  void theEntriesOfAMapStateKeepTheirOrder() throws Exception {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("z", "1");
    entries.put("a", "2");
    StateQueryResult answer = new StateQueryResult.Found(new StateValue.Entries(entries));

    StateQueryResult back =
        ProtoConversions.fromProto(
            QueryResult.parseFrom(ProtoConversions.toProto(1, answer).toByteArray()));

    assertThat(((StateValue.Entries) ((StateQueryResult.Found) back).value()).entries().keySet())
        .containsExactly("z", "a");
  }
}
