package dev.weir.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weir.checkpoint.CorruptCheckpointException;
import dev.weir.runtime.task.UserFunctionException;
import dev.weir.state.StateRestoreException;
import dev.weir.storage.StorageException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class FailureKindTest {

  @Test
  void aUserFunctionThatThrowsIsUserCodeEvenWhileTheTaskRestores() {
    assertThat(FailureKind.of(new UserFunctionException("count", new IllegalStateException("x"))))
        .isEqualTo(FailureKind.USER_CODE);
  }

  @Test
  void anUnreadableStateFileOrMetadataIsStateUnreadable() {
    assertThat(FailureKind.of(new StateRestoreException("file f is corrupt")))
        .isEqualTo(FailureKind.STATE_UNREADABLE);
    assertThat(FailureKind.of(new CorruptCheckpointException("chk-3/_metadata", "checksum", null)))
        .isEqualTo(FailureKind.STATE_UNREADABLE);
  }

  @Test
  void aMissingObjectBehindAStateFileIsStateUnreadableNotAnUnreachableStorage() {
    StorageException notFound = new StorageException("no such key", null, true);

    assertThat(FailureKind.of(new StateRestoreException("cannot download f", notFound)))
        .isEqualTo(FailureKind.STATE_UNREADABLE);
  }

  @Test
  void theFactClosestToTheCauseWins() {
    StorageException unreachable = new StorageException("connection refused", null);

    assertThat(FailureKind.of(new StateRestoreException("cannot download f", unreachable)))
        .isEqualTo(FailureKind.STORAGE_UNREACHABLE);
    assertThat(
            FailureKind.of(
                new UserFunctionException("sink", new UncheckedIOException(unreachable))))
        .isEqualTo(FailureKind.STORAGE_UNREACHABLE);
  }

  @Test
  void aFailureNoCodeClassifiedIsInfrastructure() {
    assertThat(FailureKind.of(new IllegalStateException("worker 1 was lost")))
        .isEqualTo(FailureKind.INFRASTRUCTURE);
  }
}
