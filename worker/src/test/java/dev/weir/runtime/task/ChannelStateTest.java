package dev.weir.runtime.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.proto.ChannelStateHandle;
import dev.weir.state.StateRestoreException;
import dev.weir.testing.InMemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelStateTest {
  private final InMemoryStorage storage = new InMemoryStorage();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void inFlightDataReadsBackPerChannelInTheOrderItWasAdded() throws Exception {
    ChannelStateWriter writer = new ChannelStateWriter(1);
    writer.addInput(0, bytes("xxab"), 2, 2);
    writer.addOutput(1, bytes("out"), 0, 3);
    writer.addInput(0, bytes("cd"), 0, 2);
    writer.addInput(1, bytes("ef"), 0, 2);

    List<ChannelStateHandle> handles = writer.write(storage, "job/chk-3/_channel-state/stage-1-0");
    ChannelStateReader.Restored restored = ChannelStateReader.read(handles, 1, storage);

    assertThat(writer.bytes()).isEqualTo(9);
    assertThat(handles).hasSize(3).allMatch(h -> h.getFile().getSize() == 9);
    assertThat(restored.input()).containsOnlyKeys(0, 1);
    assertThat(restored.input().get(0)).isEqualTo(bytes("abcd"));
    assertThat(restored.input().get(1)).isEqualTo(bytes("ef"));
    assertThat(restored.output().get(1)).isEqualTo(bytes("out"));
  }

  @Test
  void nothingInFlightWritesNoFile() throws Exception {
    assertThat(new ChannelStateWriter(1).write(storage, "job/chk-1/_channel-state/x")).isEmpty();
    assertThat(storage.list("job/")).isEmpty();
  }

  @Test
  void aCorruptFileIsRefusedNamingIt() throws Exception {
    ChannelStateWriter writer = new ChannelStateWriter(1);
    writer.addInput(0, bytes("abcd"), 0, 4);
    List<ChannelStateHandle> handles = writer.write(storage, "job/chk-3/_channel-state/stage-1-0");
    storage.write("job/chk-3/_channel-state/stage-1-0", bytes("abce"));

    assertThatThrownBy(() -> ChannelStateReader.read(handles, 1, storage))
        .isInstanceOf(StateRestoreException.class)
        .hasMessageContaining("job/chk-3/_channel-state/stage-1-0")
        .hasMessageContaining("CRC32C");
    storage.write("job/chk-3/_channel-state/stage-1-0", bytes("abc"));
    assertThatThrownBy(() -> ChannelStateReader.read(handles, 1, storage))
        .hasMessageContaining("truncated");
    storage.delete("job/chk-3/_channel-state/stage-1-0");
    assertThatThrownBy(() -> ChannelStateReader.read(handles, 1, storage))
        .hasMessageContaining("cannot read channel state file");
  }

  @Test
  void channelStateOfAnotherStageIsRefused() throws Exception {
    ChannelStateWriter writer = new ChannelStateWriter(2);
    writer.addInput(0, bytes("ab"), 0, 2);
    List<ChannelStateHandle> handles = writer.write(storage, "job/chk-3/_channel-state/stage-2-0");

    assertThatThrownBy(() -> ChannelStateReader.read(handles, 1, storage))
        .hasMessageContaining("belongs to stage 2, not to stage 1");
  }
}
