package dev.weir.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A TCP port option: 0 (any free port) to 65535. */
final class PortConverter implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    return parse(value, 0, value);
  }

  /**
   * @param whole the option's whole value, for the message
   */
  static int parse(String text, int lowest, String whole) {
    int port;
    try {
      port = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + whole + "': '" + text + "' is not a port number");
    }
    if (port < lowest || port > 65535) {
      throw new TypeConversionException(
          "'" + whole + "': port " + port + " is outside " + lowest + "..65535");
    }
    return port;
  }
}
