package io.dpo4j.runtime;

import static io.dpo4j.runtime.Ort.API;
import static io.dpo4j.runtime.Ort.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.OrtValue;

/**
 * One {@link InferenceSession} call with fixed input and output names, for loops that run the same graph many times
 * (token-by-token generation): the names are checked and copied to native memory once, and the native arrays of
 * input and output values are reused by every {@link #run}. Inputs are passed as they are (a session output, e.g. a
 * KV cache's {@code present.*}, can be fed back as the next run's input without a copy); outputs are new tensors the
 * caller closes. Holds native memory until {@link #close()}; not thread-safe.
 */
public final class PreparedRun implements AutoCloseable {
    private final InferenceSession session;
    private final List<String> inputs;
    private final List<String> outputs;
    private final String action;
    private final List<BytePointer> names = new ArrayList<>(); // native copies the two name arrays point to
    private PointerPointer<BytePointer> inNames;
    private PointerPointer<BytePointer> outNames;
    private PointerPointer<Pointer> inValues;
    private PointerPointer<Pointer> outValues;

    /** Called by {@link InferenceSession#prepare} after it validated the names. */
    PreparedRun(InferenceSession session, List<String> inputs, List<String> outputs, String action) {
        this.session = session;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.action = action;
        try {
            inNames = nameArray(this.inputs);
            outNames = nameArray(this.outputs);
            inValues = new PointerPointer<>(Math.max(1, inputs.size()));
            outValues = Ort.nullSlots(outputs.size());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private PointerPointer<BytePointer> nameArray(List<String> list) {
        PointerPointer<BytePointer> array = new PointerPointer<>(Math.max(1, list.size()));
        for (int i = 0; i < list.size(); i++) {
            BytePointer name = new BytePointer(list.get(i));
            names.add(name);
            array.put(i, name);
        }
        return array;
    }

    /** The input names, in the order {@link #run} takes the values. */
    public List<String> inputNames() {
        return inputs;
    }

    /** The output names, in the order {@link #run} returns the values. */
    public List<String> outputNames() {
        return outputs;
    }

    /**
     * Runs the session; ORT allocates every output.
     *
     * @param values one tensor per input name, in the order of {@link #inputNames()}; not closed by the run
     * @return one new tensor per output name, in the order of {@link #outputNames()}; the caller closes them
     * @throws IllegalArgumentException when the number of values is not the number of inputs
     * @throws OrtRuntimeException      naming the model and ORT's reason
     */
    public List<Tensor> run(List<Tensor> values) {
        return run(values, Collections.nCopies(outputs.size(), null));
    }

    /**
     * Runs the session, writing some outputs into tensors the caller made (e.g. one logits tensor reused by every
     * generation step instead of a new one per step).
     *
     * @param values one tensor per input name, in the order of {@link #inputNames()}; not closed by the run
     * @param into   one entry per output name: a tensor of exactly that output's shape and element type that ORT
     *               writes into, or null for a new tensor that ORT allocates
     * @return one tensor per output name: the given tensor where {@code into} had one (still the caller's, whose
     *         {@link Tensor#close()} is idempotent), else a new tensor the caller closes
     * @throws IllegalArgumentException when the numbers of values or of {@code into} entries do not fit
     * @throws OrtRuntimeException      naming the model and ORT's reason (a given tensor of the wrong shape included)
     */
    public List<Tensor> run(List<Tensor> values, List<Tensor> into) {
        if (inValues == null) {
            throw new IllegalStateException("prepared run of " + action + " is closed");
        }
        if (values.size() != inputs.size()) {
            throw new IllegalArgumentException(action + ": expected " + inputs.size() + " input values " + inputs
                    + ", found " + values.size());
        }
        if (into.size() != outputs.size()) {
            throw new IllegalArgumentException(action + ": expected " + outputs.size() + " output entries (a tensor "
                    + "or null) for " + outputs + ", found " + into.size());
        }
        for (int i = 0; i < values.size(); i++) {
            inValues.put(i, values.get(i).value());
        }
        for (int i = 0; i < outputs.size(); i++) {
            // ORT writes into a non-null slot and allocates the null ones
            outValues.put(i, into.get(i) == null ? null : into.get(i).value());
        }
        check(API.Run(session.handle(), null, inNames, inValues, inputs.size(), outNames, outputs.size(), outValues),
                action);
        Tensor[] result = new Tensor[outputs.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = into.get(i) != null ? into.get(i)
                    : Tensor.adopt(new OrtValue(outValues.get(i)), "output '" + outputs.get(i) + "'");
        }
        return List.of(result);
    }

    /** Frees the native name and value arrays; later calls do nothing (and {@link #run} fails). */
    @Override
    public void close() {
        for (PointerPointer<?> p : new PointerPointer<?>[] {inNames, outNames, inValues, outValues}) {
            if (p != null) {
                p.close();
            }
        }
        inNames = null;
        outNames = null;
        inValues = null;
        outValues = null;
        names.forEach(BytePointer::close);
        names.clear();
    }
}
