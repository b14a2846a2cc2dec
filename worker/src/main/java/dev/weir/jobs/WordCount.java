package dev.weir.jobs;

import dev.weir.api.BinaryReader;
import dev.weir.api.BinaryWriter;
import dev.weir.api.Codec;
import dev.weir.api.Codecs;
import dev.weir.api.DataStream;
import dev.weir.api.Pipeline;
import dev.weir.api.StreamJob;
import dev.weir.connectors.DiscardingSink;
import dev.weir.connectors.ExactlyOnceFileSink;
import dev.weir.connectors.GeneratorSource;
import dev.weir.connectors.LineFileSource;
import dev.weir.connectors.PrintSink;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

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

  static final class Options {
    @Option(names = "--input", description = "text file to count the words of")
    String input;

    @Option(names = "--records", description = "generated words", defaultValue = "1000000")
    long records;

    @Option(
        names = "--keys",
        description = "vocabulary size of generated words",
        defaultValue = "100000")
    int keys;

    @Option(
        names = "--rate",
        description = "records/s per source subtask (0 = unlimited)",
        defaultValue = "0")
    long rate;

    @Option(names = "--output", description = "directory or s3://bucket/prefix")
    String output;

    @Option(names = "--print", description = "print the counts")
    boolean print;
  }

  @Override
  public void define(Pipeline pipeline, List<String> args) {
    Options o = CommandLine.populateCommand(new Options(), args.toArray(String[]::new));
    DataStream<Count> words;
    if (o.input != null) {
      words =
          pipeline
              .source("lines", new LineFileSource(o.input), Codecs.STRING)
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
      String[] vocabulary = new String[o.keys];
      for (int i = 0; i < o.keys; i++) {
        vocabulary[i] = "word" + i;
      }
      int keys = o.keys;
      words =
          pipeline
              .source("sequence", new GeneratorSource<>(o.records, 64, o.rate, i -> i), Codecs.LONG)
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
    if (o.output != null) {
      counts.sink(
          "output", new ExactlyOnceFileSink<Count>(o.output, c -> c.word() + "," + c.count()));
    } else if (o.print) {
      counts.sink("print", new PrintSink<>());
    } else {
      counts.sink("discard", new DiscardingSink<>());
    }
  }
}
