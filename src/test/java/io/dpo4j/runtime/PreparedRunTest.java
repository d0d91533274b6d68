package io.dpo4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PreparedRun} on the tiny GPT-2 KV-cache graph: the same outputs as {@link InferenceSession#run} bit for bit
 * (in any input order), outputs fed back as the next run's inputs, repeated runs, outputs written into given tensors,
 * and its errors.
 */
class PreparedRunTest {
    private static final Path GRAPH = Path.of("artifacts", "tiny-gpt2", "inference_kv_model.onnx");
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int HEAD_DIM = 16;
    private static OrtEnvironment env;

    @BeforeAll
    static void open() {
        env = OrtEnvironment.create("prepared-run");
    }

    @AfterAll
    static void close() {
        env.close();
    }

    private static InferenceSession session() {
        return InferenceSession.open(env, SessionConfig.cpuDefaults(), GRAPH);
    }

    private static List<String> inputs() {
        List<String> in = new ArrayList<>(List.of("input_ids", "attention_mask", "position_ids"));
        for (int l = 0; l < LAYERS; l++) {
            in.add("past." + l + ".key");
            in.add("past." + l + ".value");
        }
        return in;
    }

    private static List<String> outputs() {
        List<String> out = new ArrayList<>(List.of("logits"));
        for (int l = 0; l < LAYERS; l++) {
            out.add("present." + l + ".key");
            out.add("present." + l + ".value");
        }
        return out;
    }

    /** Prefill feeds for one sequence of {@code ids}: mask of ones, positions 0.., empty caches. */
    private static Map<String, Tensor> prefill(long... ids) {
        long[] ones = new long[ids.length];
        long[] pos = new long[ids.length];
        for (int t = 0; t < ids.length; t++) {
            ones[t] = 1;
            pos[t] = t;
        }
        Map<String, Tensor> feeds = new HashMap<>();
        feeds.put("input_ids", Tensor.ofLongs(ids, 1, ids.length)); // (1, S)
        feeds.put("attention_mask", Tensor.ofLongs(ones, 1, ids.length)); // (1, S)
        feeds.put("position_ids", Tensor.ofLongs(pos, 1, ids.length)); // (1, S)
        for (String name : inputs().subList(3, 3 + 2 * LAYERS)) {
            feeds.put(name, Tensor.ofFloats(new float[0], 1, HEADS, 0, HEAD_DIM)); // (1, KV, 0, D)
        }
        return feeds;
    }

    private static List<float[]> floats(List<Tensor> tensors) {
        return tensors.stream().map(Tensor::toFloats).toList();
    }

    private static void closeAll(Iterable<Tensor> tensors) {
        tensors.forEach(Tensor::close);
    }

    @Test
    void equalsSessionRunBitForBitInAnyInputOrder() {
        Map<String, Tensor> feeds = prefill(5, 17, 300, 42);
        List<String> reversed = new ArrayList<>(inputs());
        java.util.Collections.reverse(reversed);
        try (InferenceSession s = session();
             PreparedRun inOrder = s.prepare(inputs(), outputs());
             PreparedRun backwards = s.prepare(reversed, outputs())) {
            List<Tensor> viaMap = s.run(feeds, outputs());
            List<Tensor> a = inOrder.run(inputs().stream().map(feeds::get).toList());
            List<Tensor> b = backwards.run(reversed.stream().map(feeds::get).toList());
            List<Tensor> again = inOrder.run(inputs().stream().map(feeds::get).toList());
            assertThat(a.get(0).shape()).containsExactly(1, 4, 4096); // (N, S, V)
            assertThat(a.get(1).shape()).containsExactly(1, HEADS, 4, HEAD_DIM); // (N, KV, P+S, D)
            assertThat(a.get(0).type()).isEqualTo(ElementType.FLOAT);
            for (List<Tensor> other : List.of(a, b, again)) {
                List<float[]> x = floats(viaMap);
                List<float[]> y = floats(other);
                for (int i = 0; i < x.size(); i++) {
                    assertThat(y.get(i)).as(outputs().get(i)).containsExactly(x.get(i));
                }
            }
            closeAll(viaMap);
            closeAll(a);
            closeAll(b);
            closeAll(again);
        } finally {
            closeAll(feeds.values());
        }
    }

    @Test
    void presentsFedBackAsPastsContinueTheSequence() {
        long[] ids = {5, 17, 300, 42, 7};
        Map<String, Tensor> whole = prefill(ids);
        Map<String, Tensor> head = prefill(5, 17, 300, 42);
        try (InferenceSession s = session(); PreparedRun call = s.prepare(inputs(), outputs())) {
            List<Tensor> full = call.run(inputs().stream().map(whole::get).toList());
            List<Tensor> first = call.run(inputs().stream().map(head::get).toList());
            List<Tensor> next;
            try (Tensor id = Tensor.ofLongs(new long[] {7}, 1, 1);
                 Tensor mask = Tensor.ofLongs(new long[] {1, 1, 1, 1, 1}, 1, 5);
                 Tensor pos = Tensor.ofLongs(new long[] {4}, 1, 1)) {
                List<Tensor> feeds = new ArrayList<>(List.of(id, mask, pos));
                feeds.addAll(first.subList(1, first.size())); // present.* of the first run as past.*
                next = call.run(feeds);
            }
            float[] last = new float[4096];
            full.get(0).copyFloats(4L * 4096, last); // (1, 5, V) row 4
            float[] stepped = next.get(0).toFloats(); // (1, 1, V)
            for (int v = 0; v < last.length; v++) {
                assertThat(stepped[v]).as("logit %d", v).isCloseTo(last[v], org.assertj.core.api.Assertions.within(
                        1e-5f * Math.max(1f, Math.abs(last[v]))));
            }
            assertThat(next.get(1).shape()).containsExactly(1, HEADS, 5, HEAD_DIM); // (N, KV, P+S, D)
            closeAll(full);
            closeAll(first);
            closeAll(next);
        } finally {
            closeAll(whole.values());
            closeAll(head.values());
        }
    }

    @Test
    void writesIntoGivenOutputTensorsAndAllocatesTheRest() {
        Map<String, Tensor> feeds = prefill(5, 17, 300);
        try (InferenceSession s = session(); PreparedRun call = s.prepare(inputs(), outputs());
             Tensor logits = Tensor.ofFloats(new float[3 * 4096], 1, 3, 4096); // (N, S, V)
             Tensor wrong = Tensor.ofFloats(new float[2 * 4096], 1, 2, 4096)) { // (N, S-1, V)
            List<Tensor> values = inputs().stream().map(feeds::get).toList();
            List<Tensor> allocated = call.run(values);
            List<Tensor> into = new ArrayList<>(java.util.Collections.nCopies(outputs().size(), (Tensor) null));
            into.set(0, logits);
            List<Tensor> written = call.run(values, into);
            assertThat(written.get(0)).isSameAs(logits);
            assertThat(logits.toFloats()).containsExactly(allocated.get(0).toFloats());
            assertThat(written.get(1)).isNotSameAs(allocated.get(1));
            assertThat(written.get(1).toFloats()).containsExactly(allocated.get(1).toFloats());
            closeAll(allocated);
            closeAll(written.subList(1, written.size()));
            into.set(0, wrong);
            assertThatThrownBy(() -> call.run(values, into)).isInstanceOf(OrtRuntimeException.class)
                    .hasMessageContaining("running " + GRAPH);
            assertThatThrownBy(() -> call.run(values, List.of(logits))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected 5 output entries");
        } finally {
            closeAll(feeds.values());
        }
    }

    @Test
    void rejectsWrongNamesAndCountsAndUseAfterClose() {
        Map<String, Tensor> feeds = prefill(1, 2);
        try (InferenceSession s = session()) {
            assertThatThrownBy(() -> s.prepare(inputs().subList(0, 3), outputs()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected inputs");
            List<String> twice = new ArrayList<>(inputs());
            twice.set(1, "input_ids");
            assertThatThrownBy(() -> s.prepare(twice, outputs()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected inputs");
            assertThatThrownBy(() -> s.prepare(inputs(), List.of("logits", "present.9.key")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected an output among").hasMessageContaining("'present.9.key'");
            assertThatThrownBy(() -> s.prepare(inputs(), List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none requested");
            PreparedRun call = s.prepare(inputs(), List.of("logits"));
            assertThat(call.inputNames()).isEqualTo(inputs());
            assertThat(call.outputNames()).containsExactly("logits");
            assertThatThrownBy(() -> call.run(List.of(feeds.get("input_ids"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 7 input values");
            call.close();
            call.close();
            assertThatThrownBy(() -> call.run(inputs().stream().map(feeds::get).toList()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            PreparedRun orphan = s.prepare(inputs(), List.of("logits"));
            s.close();
            assertThatThrownBy(() -> orphan.run(inputs().stream().map(feeds::get).toList()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("session").hasMessageContaining("closed");
            orphan.close();
        } finally {
            closeAll(feeds.values());
        }
    }
}
