package io.dpo4j.artifacts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lists the external-data files an ONNX model points to, by walking its protobuf wire format (no ONNX classes).
 *
 * <p>ONNX Runtime reads a tensor stored outside the model from the file its {@code external_data} entry
 * {@code location} names, relative to the model's directory. dpo4j requires every such name to be listed in
 * manifest.json {@code files}, so the directory confinement and SHA-256 checks of {@link ArtifactSet} cover the data
 * as well as the graph. Tensors are found wherever ONNX can hold them: graph initializers, sparse initializers and
 * node attributes ({@code t}, {@code tensors}), recursively through subgraphs ({@code g}, {@code graphs}) and
 * model-local functions. Length-delimited fields that are not walked (raw tensor data) are skipped, not read.
 */
public final class OnnxExternalData {
    // Field numbers of onnx.proto3 (onnx 1.16).
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_FUNCTIONS = 25;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_SPARSE_INITIALIZER = 15;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int FUNCTION_NODE = 7;
    private static final int ATTR_T = 5;
    private static final int ATTR_G = 6;
    private static final int ATTR_TENSORS = 10;
    private static final int ATTR_GRAPHS = 11;
    private static final int ATTR_SPARSE_TENSOR = 22;
    private static final int ATTR_SPARSE_TENSORS = 23;
    private static final int SPARSE_VALUES = 1;
    private static final int SPARSE_INDICES = 2;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    static final int ENTRY_KEY = 1;
    static final int ENTRY_VALUE = 2;
    static final int MAX_DEPTH = 64;

    private OnnxExternalData() {}

    /**
     * @param model an ONNX model file
     * @return the distinct {@code location} values of its external tensors, sorted
     * @throws ArtifactException naming the file when it is not a well-formed protobuf
     */
    public static Set<String> locations(Path model) {
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new ArtifactException(model + ": expected an ONNX protobuf under 2 GiB, found " + size + " bytes");
            }
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            Set<String> out = new TreeSet<>();
            new Walker(model, buf, out).message(0, (int) size, Kind.MODEL, 0);
            return out;
        } catch (IOException e) {
            throw new ArtifactException(model + ": cannot be read for its external-data references (" + e + ")");
        }
    }

    /** The ONNX messages that can hold tensors, and the external-data entry. */
    enum Kind { MODEL, GRAPH, NODE, FUNCTION, ATTRIBUTE, TENSOR, SPARSE, ENTRY }

    static final class Walker {
        private final ProtoWire wire;
        private final Set<String> out;

        Walker(Path file, ByteBuffer buf, Set<String> out) {
            this.wire = new ProtoWire(buf, file.toString(), true);
            this.out = out;
        }

        /** Walks the message in [start, end); for ENTRY returns the key=value pair seen. */
        String[] message(int start, int end, Kind kind, int depth) {
            if (depth > MAX_DEPTH) {
                throw wire.malformed(start, "nesting deeper than " + MAX_DEPTH);
            }
            String[] entry = new String[2];
            wire.fields(start, end, (field, type, tagStart, s, e) -> {
                if (type != ProtoWire.LEN) {
                    return;
                }
                Kind child = child(kind, field);
                if (child != null) {
                    String[] kv = message(s, e, child, depth + 1);
                    if (child == Kind.ENTRY && "location".equals(kv[0]) && kv[1] != null) {
                        out.add(kv[1]);
                    }
                } else if (kind == Kind.ENTRY && (field == ENTRY_KEY || field == ENTRY_VALUE)) {
                    entry[field - 1] = wire.string(s, e);
                }
            });
            return entry;
        }

        /** @return the kind of message field {@code field} of a {@code kind} holds, or null when it holds none */
        static Kind child(Kind kind, int field) {
            return switch (kind) {
                case MODEL -> field == MODEL_GRAPH ? Kind.GRAPH : field == MODEL_FUNCTIONS ? Kind.FUNCTION : null;
                case GRAPH -> field == GRAPH_NODE ? Kind.NODE : field == GRAPH_INITIALIZER ? Kind.TENSOR
                        : field == GRAPH_SPARSE_INITIALIZER ? Kind.SPARSE : null;
                case FUNCTION -> field == FUNCTION_NODE ? Kind.NODE : null;
                case NODE -> field == NODE_ATTRIBUTE ? Kind.ATTRIBUTE : null;
                case ATTRIBUTE -> field == ATTR_T || field == ATTR_TENSORS ? Kind.TENSOR
                        : field == ATTR_G || field == ATTR_GRAPHS ? Kind.GRAPH
                        : field == ATTR_SPARSE_TENSOR || field == ATTR_SPARSE_TENSORS ? Kind.SPARSE : null;
                case SPARSE -> field == SPARSE_VALUES || field == SPARSE_INDICES ? Kind.TENSOR : null;
                case TENSOR -> field == TENSOR_EXTERNAL_DATA ? Kind.ENTRY : null;
                case ENTRY -> null;
            };
        }
    }
}
