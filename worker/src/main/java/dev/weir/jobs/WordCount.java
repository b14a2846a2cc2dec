package dev.weir.jobs;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.DataStream;
import dev.weir.api.Pipeline;
import dev.weir.api.StreamJob;
import dev.weir.api.connectors.Sinks;
import dev.weir.api.connectors.Sources;
import java.util.List;
import java.util.Set;

/**
 * Word count: words from the lines of {@code --input FILE}, or {@code --records N} generated words
 * over a vocabulary of {@code --keys K} (the benchmark peer's job: word {@code scramble(i) % K});
 * keyed by word, summed; emitted as {@code word,count} to {@code --output} (exactly-once file
 * sink), printed ({@code --print}) or discarded (the default for generated input, as in the
 * benchmark).
 */
public final class WordCount implements StreamJob {

  /** A word and its count. */
  public record Count(String word, long count) {}

  static final Codec<Count> COUNT_CODEC =
      new Codec<>() {
        @Override
        public void write(Count value, BinaryWriter out) {
          out.writeString(value.word());
          out.writeLong(value.count());
        }

        @Override
        public Count read(BinaryReader in) {
          return new Count(in.readString(), in.readLong());
        }
      };

  @Override
  public void define(Pipeline pipeline, List<String> args) {
    JobArguments arguments =
        JobArguments.parse(
            args,
            Set.of("--input", "--records", "--keys", "--rate", "--output"),
            Set.of("--print"));
    String input = arguments.string("--input"); // text file to count the words of
    long records = arguments.longValue("--records", 1_000_000); // generated words
    int keys = arguments.intValue("--keys", 100_000); // vocabulary size of generated words
    long rate = arguments.longValue("--rate", 0); // records/s per source subtask (0 = unlimited)
    String output = arguments.string("--output"); // directory or s3://bucket/prefix
    DataStream<Count> words;
    if (input != null) {
      words =
          pipeline
              .source("lines", Sources.lines(input), Codecs.STRING)
              .flatMap(
                  "split",
                  (line, out) -> {
                    for (String w : line.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
                      if (!w.isEmpty()) {
                        out.collect(new Count(w, 1));
                      }
                    }
                  },
                  COUNT_CODEC);
    } else {
      String[] vocabulary = new String[keys];
      for (int i = 0; i < keys; i++) {
        vocabulary[i] = "word" + i;
      }
      words =
          pipeline
              .source(
                  "sequence",
                  Sources.generator(records, i -> i).ratePerSubtask(rate).build(),
                  Codecs.LONG)
              .map(
                  "to-word",
                  i -> {
                    long h = (i * 0x9E3779B97F4A7C15L) >>> 1; // scramble, as the Flink peer does
                    return new Count(vocabulary[(int) (h % keys)], 1L);
                  },
                  COUNT_CODEC);
    }
    DataStream<Count> counts =
        words
            .keyBy(Count::word, Codecs.STRING)
            .reduce("count", (a, b) -> new Count(a.word(), a.count() + b.count()));
    if (output != null) {
      counts.sink("output", Sinks.<Count>exactlyOnceFiles(output, c -> c.word() + "," + c.count()));
    } else if (arguments.flag("--print")) {
      counts.sink("print", Sinks.print());
    } else {
      counts.sink("discard", Sinks.discarding());
    }
  }
}
