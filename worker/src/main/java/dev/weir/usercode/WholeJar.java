package dev.weir.usercode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks that a file is a whole jar: a zip whose every entry reads to its end with the size and
 * CRC-32 its central directory records. A truncated file has no central directory; a damaged byte
 * inside an entry fails its CRC (or its inflation). Reads the whole file once (a few hundred
 * milliseconds for a large jar). Stateless.
 */
final class WholeJar {
  private WholeJar() {}

  /**
   * @throws InvalidUserCodeException naming {@code uri} and what is wrong
   */
  static void check(Path file, String uri) throws InvalidUserCodeException {
    byte[] buffer = new byte[64 * 1024];
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
        ZipEntry entry = entries.nextElement();
        CRC32 crc = new CRC32();
        long size = 0;
        try (InputStream in = zip.getInputStream(entry)) {
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            crc.update(buffer, 0, n);
            size += n;
          }
        } catch (IOException e) {
          throw new IOException("entry " + entry.getName() + ": " + e.getMessage(), e);
        }
        // ZipFile's streams check neither: a damaged byte of a stored entry reads as any other
        if (size != entry.getSize() || crc.getValue() != entry.getCrc()) {
          throw new IOException(
              "entry "
                  + entry.getName()
                  + " is damaged (its size or CRC-32 is not the recorded one)");
        }
      }
    } catch (IOException e) {
      throw new InvalidUserCodeException(
          UserCode.JAR_FIELD, uri + " is not a valid jar: " + e.getMessage(), e);
    }
  }

  /** Whether the jar holds the class file of {@code className} (a binary name). */
  static boolean holdsClass(Path file, String className, String uri)
      throws InvalidUserCodeException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      return zip.getEntry(className.replace('.', '/') + ".class") != null;
    } catch (IOException e) {
      throw new InvalidUserCodeException(
          UserCode.JAR_FIELD, uri + " is not a valid jar: " + e.getMessage(), e);
    }
  }
}
