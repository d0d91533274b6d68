package io.dpo4j.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The toy artifact set in src/test/resources/toy (written by tools/export/make_toy_artifacts.py) and its golden values,
 * which that script computed with onnxruntime-training's Python API.
 */
final class ToyArtifacts {
    static final Path DIR = resourceDir();
    static final JsonNode GOLDEN = readGolden();

    private ToyArtifacts() {
    }

    private static Path resourceDir() {
        try {
            return Path.of(ToyArtifacts.class.getResource("/toy/checkpoint").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("toy artifacts: expected /toy/checkpoint on the test classpath "
                    + "(run tools/export/make_toy_artifacts.py), found none", e);
        }
    }

    private static JsonNode readGolden() {
        try {
            return new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TrainingSession open(OrtEnvironment env) {
        return open(env, DIR.resolve("checkpoint"));
    }

    static TrainingSession open(OrtEnvironment env, Path checkpoint) {
        return TrainingSession.open(env, SessionConfig.cpuDefaults(), checkpoint, DIR.resolve("training_model.onnx"),
                DIR.resolve("eval_model.onnx"), DIR.resolve("optimizer_model.onnx"));
    }

    /** Tensors [features (n, 4), target (n, 3)] of golden batch {@code name}; the caller closes them. */
    static List<Tensor> batch(String name) {
        JsonNode b = GOLDEN.path("batches").path(name);
        long n = b.path("n").asLong();
        return List.of(Tensor.ofFloats(floats(b.path("features")), n, 4),   // (n, 4)
                Tensor.ofFloats(floats(b.path("target")), n, 3));          // (n, 3)
    }

    static float[] floats(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalStateException("golden.json: expected an array, found " + array.getNodeType());
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static void closeAll(List<Tensor> tensors) {
        tensors.forEach(Tensor::close);
    }
}
