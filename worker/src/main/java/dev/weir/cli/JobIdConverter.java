package dev.weir.cli;

import dev.weir.storage.CheckpointStorage;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --job-id}: the job's directory in checkpoint storage, so a relative path there ({@code
 * ../x} is refused before anything starts).
 */
final class JobIdConverter implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    try {
      return CheckpointStorage.requireValidPath(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a directory name in checkpoint storage: " + e.getMessage());
    }
  }
}
