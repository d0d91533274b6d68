package io.dpo4j.runtime;

import org.bytedeco.onnxruntime.global.onnxruntime;

/** Tensor element types dpo4j exchanges with ORT. */
public enum ElementType {
    /** 32-bit IEEE float. */
    FLOAT(onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4),
    /** 64-bit signed integer. */
    INT64(onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, 8),
    /** Boolean stored as one byte. */
    BOOL(onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, 1);

    private final int onnxCode;
    private final int bytes;

    ElementType(int onnxCode, int bytes) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
    }

    int onnxCode() {
        return onnxCode;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    static ElementType fromOnnx(int code, String what) {
        for (ElementType t : values()) {
            if (t.onnxCode == code) {
                return t;
            }
        }
        throw new IllegalStateException(what + ": expected element type FLOAT, INT64 or BOOL, found ONNX type code "
                + code);
    }
}
