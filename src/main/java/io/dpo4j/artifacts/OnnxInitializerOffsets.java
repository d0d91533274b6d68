package io.dpo4j.artifacts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the external initializers of an ONNX model's main graph lie: name → (location, offset, length), read from the
 * protobuf wire format like {@link OnnxExternalData} (no ONNX classes). The exported graphs' weights file is one raw
 * float32 file, so these are the positions at which a trained tensor replaces a starting one
 * ({@link InferenceGraphCopy}).
 */
public final class OnnxInitializerOffsets {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_EXTERNAL_DATA = 13;

    /**
     * One external initializer.
     *
     * @param location the data file, relative to the model's directory
     * @param offset   its first byte in that file
     * @param length   its size in bytes; -1 when the entry has none
     */
    public record Entry(String location, long offset, long length) {}

    private OnnxInitializerOffsets() {}

    /**
     * @param model an ONNX model file
     * @return every external initializer of its main graph, in file order (inline initializers are not listed)
     * @throws ArtifactException naming the file when it is not a well-formed protobuf or an entry lacks its location
     */
    public static Map<String, Entry> read(Path model) {
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ArtifactException(model + ": expected an ONNX protobuf under 2 GiB, found " + size + " bytes");
            }
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Entry> out = new LinkedHashMap<>();
            Reader r = new Reader(model, buf);
            for (int[] graph : r.fields(0, (int) size, MODEL_GRAPH)) {
                for (int[] tensor : r.fields(graph[0], graph[1], GRAPH_INITIALIZER)) {
                    r.tensor(tensor[0], tensor[1], out);
                }
            }
            return out;
        } catch (IOException e) {
            throw new ArtifactException(model + ": cannot be read for its initializers (" + e + ")");
        }
    }

    private static final class Reader {
        private final Path file;
        private final ProtoWire wire;

        Reader(Path file, ByteBuffer buf) {
            this.file = file;
            this.wire = new ProtoWire(buf, file.toString(), true);
        }

        /** @return [start, end) of every length-delimited field {@code wanted} of the message in [start, end) */
        List<int[]> fields(int start, int end, int wanted) {
            List<int[]> out = new ArrayList<>();
            wire.fields(start, end, (field, type, tagStart, s, e) -> {
                if (type == ProtoWire.LEN && field == wanted) {
                    out.add(new int[] {s, e});
                }
            });
            return out;
        }

        void tensor(int start, int end, Map<String, Entry> out) {
            List<int[]> names = fields(start, end, TENSOR_NAME);
            List<int[]> entries = fields(start, end, TENSOR_EXTERNAL_DATA);
            if (entries.isEmpty()) {
                return;
            }
            String name = names.isEmpty() ? "" : string(names.get(names.size() - 1));
            Map<String, String> kv = new LinkedHashMap<>();
            for (int[] e : entries) {
                List<int[]> k = fields(e[0], e[1], OnnxExternalData.ENTRY_KEY);
                List<int[]> v = fields(e[0], e[1], OnnxExternalData.ENTRY_VALUE);
                if (!k.isEmpty()) {
                    kv.put(string(k.get(k.size() - 1)), v.isEmpty() ? "" : string(v.get(v.size() - 1)));
                }
            }
            String location = kv.get("location");
            if (location == null) {
                throw new ArtifactException(file + ": initializer '" + name + "': expected an external_data entry "
                        + "'location', found keys " + kv.keySet());
            }
            out.put(name, new Entry(location, number(name, kv, "offset", 0), number(name, kv, "length", -1)));
        }

        private long number(String name, Map<String, String> kv, String key, long absent) {
            String v = kv.get(key);
            if (v == null) {
                return absent;
            }
            try {
                long n = Long.parseLong(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new ArtifactException(file + ": initializer '" + name + "': external_data '" + key
                        + "': expected a non-negative integer, found '" + v + "'");
            }
        }

        private String string(int[] range) {
            return wire.string(range[0], range[1]);
        }
    }
}
