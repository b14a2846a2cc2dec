package dev.weir.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code host:port} as options take it ({@code --coordinator}); immutable.
 *
 * @param port 1..65535
 */
record HostAndPort(String host, int port) {

  @Override
  public String toString() {
    return host + ":" + port;
  }

  /** Parses {@code host:port}, or throws a conversion error saying what is wrong. */
  static final class Converter implements ITypeConverter<HostAndPort> {
    @Override
    public HostAndPort convert(String value) {
      int colon = value.lastIndexOf(':');
      if (colon < 1 || colon == value.length() - 1) {
        throw new TypeConversionException("'" + value + "' is not host:port");
      }
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1); // [::1]:6123
      }
      return new HostAndPort(host, PortConverter.parse(value.substring(colon + 1), 1, value));
    }
  }
}
