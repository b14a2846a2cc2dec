package dev.weir.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinioServerIT {

  @Test
  void putsGetsAndListsObjectsThroughTheMinioJavaClient() throws Exception {
    try (MinioServer minio = MinioServer.start("smoke")) {
      MinioClient client = minio.client();
      for (String key : List.of("job/chk-1/_metadata", "job/chk-2/_metadata", "other/x")) {
        put(client, minio.bucket(), key, "content of " + key);
      }

      try (var in =
          client.getObject(
              GetObjectArgs.builder()
                  .bucket(minio.bucket())
                  .object("job/chk-2/_metadata")
                  .build())) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("content of job/chk-2/_metadata");
      }
      assertThat(list(client, minio.bucket(), "job/"))
          .containsExactly("job/chk-1/_metadata", "job/chk-2/_metadata");
    }
  }

  @Test
  void keepsItsDataAcrossAKillAndRestartAndIsUnreachableInBetween() throws Exception {
    try (MinioServer minio = MinioServer.start()) {
      put(minio.client(), minio.bucket(), "survivor", "still here");

      minio.kill();
      assertThatThrownBy(() -> list(minio.client(), minio.bucket(), ""))
          .isInstanceOf(Exception.class);

      minio.restart();
      assertThat(list(minio.client(), minio.bucket(), "")).containsExactly("survivor");
    }
  }

  private static void put(MinioClient client, String bucket, String key, String content)
      throws Exception {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    client.putObject(
        PutObjectArgs.builder().bucket(bucket).object(key).stream(
                new ByteArrayInputStream(bytes), (long) bytes.length, -1L)
            .build());
  }

  private static List<String> list(MinioClient client, String bucket, String prefix)
      throws Exception {
    List<String> names = new ArrayList<>();
    for (Result<Item> item :
        client.listObjects(
            ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
      names.add(item.get().objectName());
    }
    return names;
  }
}
