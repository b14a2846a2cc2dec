package dev.weir.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.state.StateBackendKind;
import dev.weir.state.backends.KeyedStateBackends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the value cache capacity is configured. Changes a system property: not parallel-safe. */
class RocksDbKeyedStateBackendFactoryTest {
  private static final String PROPERTY = RocksDbKeyedStateBackendFactory.CACHE_ENTRIES_PROPERTY;

  @AfterEach
  void clearProperty() {
    System.clearProperty(PROPERTY);
  }

  @Test
  void theCacheHasTheDefaultCapacityUnlessThePropertySaysOtherwise() {
    assertThat(RocksDbKeyedStateBackendFactory.fromSystemProperties().cacheEntries())
        .isEqualTo(RocksDbKeyedStateBackendFactory.DEFAULT_CACHE_ENTRIES);
    System.setProperty(PROPERTY, " 0 ");
    assertThat(RocksDbKeyedStateBackendFactory.fromSystemProperties().cacheEntries()).isZero();
    assertThat(
            ((RocksDbKeyedStateBackendFactory) KeyedStateBackends.forKind(StateBackendKind.ROCKSDB))
                .cacheEntries())
        .isZero();
  }

  @Test
  void aCapacityThatIsNotANonNegativeIntegerIsRefusedNamingTheProperty() {
    System.setProperty(PROPERTY, "lots");
    assertThatThrownBy(RocksDbKeyedStateBackendFactory::fromSystemProperties)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PROPERTY)
        .hasMessageContaining("lots");
    System.setProperty(PROPERTY, "-1");
    assertThatThrownBy(RocksDbKeyedStateBackendFactory::fromSystemProperties)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
