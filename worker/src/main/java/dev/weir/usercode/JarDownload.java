package dev.weir.usercode;

import dev.weir.storage.S3Storage;
import dev.weir.storage.S3Storage.ObjectStat;
import dev.weir.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Fetches a job's jar from S3 into the jar cache: the object's size and entity tag are read first;
 * the object is downloaded into a temporary file in the cache, checked against them (the size
 * always; the MD5 of the bytes when the entity tag is one, as it is for an object uploaded in one
 * part), and only then moved into place. A cache entry is named after the object and its entity
 * tag, so a replaced object is fetched anew; only a download that passed, and is a whole jar
 * ({@link WholeJar}), is ever moved into place, so processes that share a work directory (local
 * mode's) may fetch at once.
 *
 * <p>Confined to the calling thread.
 */
final class JarDownload {
  private static final Pattern SINGLE_PART_ETAG = Pattern.compile("[0-9a-fA-F]{32}");

  private final JobJar.S3Object jar;
  private final Path cacheDirectory;

  JarDownload(JobJar.S3Object jar, Path cacheDirectory) {
    this.jar = jar;
    this.cacheDirectory = cacheDirectory;
  }

  Path fetch() throws InvalidUserCodeException {
    try (S3Storage s3 = jar.bucket().open()) {
      ObjectStat stat = s3.stat(jar.key());
      Path cached = cacheDirectory.resolve(cacheName(stat));
      if (Files.isRegularFile(cached) && Files.size(cached) == stat.size()) {
        WholeJar.check(cached, jar.uri());
        return cached;
      }
      Files.createDirectories(cacheDirectory);
      Path download = Files.createTempFile(cacheDirectory, ".download-", ".part");
      try {
        s3.download(jar.key(), download);
        verify(download, stat, jar.uri());
        WholeJar.check(download, jar.uri()); // a damaged jar never enters the cache
        try {
          Files.move(download, cached, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(download, cached, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(download);
      }
      return cached;
    } catch (StorageException e) {
      // names the object and the endpoint already: "s3://b/k at http://...: no such object"
      throw new InvalidUserCodeException(UserCode.JAR_FIELD, e.getMessage(), e);
    } catch (IOException e) {
      throw new InvalidUserCodeException(
          UserCode.JAR_FIELD,
          jar.uri() + ": cannot be cached in " + cacheDirectory + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Checks a downloaded file against the object's stat.
   *
   * @throws InvalidUserCodeException naming the URI, when the size differs or the MD5 differs from
   *     a single-part entity tag
   */
  static void verify(Path file, ObjectStat expected, String uri)
      throws IOException, InvalidUserCodeException {
    long size = Files.size(file);
    if (size != expected.size()) {
      throw new InvalidUserCodeException(
          UserCode.JAR_FIELD,
          uri
              + ": the download is incomplete or the object changed meanwhile: "
              + size
              + " bytes downloaded, the object has "
              + expected.size());
    }
    String etag = unquoted(expected.etag());
    if (!SINGLE_PART_ETAG.matcher(etag).matches()) {
      return; // a multipart upload's tag is no digest of the bytes; the jar's CRCs are checked next
    }
    String md5 = md5(file);
    if (!md5.equalsIgnoreCase(etag)) {
      throw new InvalidUserCodeException(
          UserCode.JAR_FIELD,
          uri
              + ": the download is corrupt: its MD5 "
              + md5
              + " differs from the object's ETag "
              + etag);
    }
  }

  private String cacheName(ObjectStat stat) {
    String name = jar.key().substring(jar.key().lastIndexOf('/') + 1).replaceAll("\\.jar$", "");
    String identity =
        String.join("\n", jar.bucket().endpoint(), jar.bucket().bucket(), jar.key(), stat.etag());
    return name.replaceAll("[^A-Za-z0-9._-]", "_")
        + "-"
        + sha256(identity).substring(0, 16)
        + ".jar";
  }

  private static String unquoted(String etag) {
    return etag.replace("\"", "");
  }

  private static String md5(Path file) throws IOException {
    MessageDigest digest = digest("MD5");
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256(String text) {
    return HexFormat.of()
        .formatHex(digest("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }
}
