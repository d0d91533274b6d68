package io.dpo4j.runtime;

/**
 * A failed ONNX Runtime call: ORT's error code name (e.g. {@code ORT_INVALID_ARGUMENT}), ORT's own message, and the
 * action dpo4j was performing (e.g. {@code "loading checkpoint /runs/x/checkpoint"}).
 *
 * <p>dpo4j checks that model and checkpoint files exist before handing them to ORT; a missing file is reported the
 * same way with code {@code ORT_NO_SUCHFILE} and a message naming the path.
 */
public final class OrtRuntimeException extends RuntimeException {
    private static final String[] CODE_NAMES = {
        "ORT_OK", "ORT_FAIL", "ORT_INVALID_ARGUMENT", "ORT_NO_SUCHFILE", "ORT_NO_MODEL", "ORT_ENGINE_ERROR",
        "ORT_RUNTIME_EXCEPTION", "ORT_INVALID_PROTOBUF", "ORT_MODEL_LOADED", "ORT_NOT_IMPLEMENTED",
        "ORT_INVALID_GRAPH", "ORT_EP_FAIL", "ORT_MODEL_LOAD_CANCELED", "ORT_MODEL_REQUIRES_COMPILATION",
        "ORT_NOT_FOUND"};

    private final String ortCode;
    private final String ortMessage;
    private final String action;

    /**
     * @param action what was being done, e.g. "loading checkpoint /path"
     * @param ortCode ORT's error code name
     * @param ortMessage ORT's error message
     */
    public OrtRuntimeException(String action, String ortCode, String ortMessage) {
        this(action, ortCode, ortMessage, null);
    }

    /** As {@link #OrtRuntimeException(String, String, String)}, with a hint appended to the message. */
    public OrtRuntimeException(String action, String ortCode, String ortMessage, String hint) {
        super(action + ": " + ortCode + ": " + ortMessage + (hint == null ? "" : " (" + hint + ")"));
        this.ortCode = ortCode;
        this.ortMessage = ortMessage;
        this.action = action;
    }

    /** Maps ORT's numeric {@code OrtErrorCode} to its enum constant name. */
    static String codeName(int code) {
        return code >= 0 && code < CODE_NAMES.length ? CODE_NAMES[code] : "ORT_ERROR_" + code;
    }

    /** ORT's error code name, e.g. {@code ORT_NO_SUCHFILE}. */
    public String ortCode() {
        return ortCode;
    }

    /** ORT's own error message. */
    public String ortMessage() {
        return ortMessage;
    }

    /** What dpo4j was doing when ORT failed. */
    public String action() {
        return action;
    }
}
