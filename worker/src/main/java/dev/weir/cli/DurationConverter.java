package dev.weir.cli;

import dev.weir.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration option ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, as in manifests); every
 * duration option of the CLI is a time limit, so it must be positive.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration duration;
    try {
      duration = Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new TypeConversionException("'" + value + "' must be positive");
    }
    return duration;
  }
}
