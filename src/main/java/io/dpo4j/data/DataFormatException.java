package io.dpo4j.data;

/** An unusable row or file; the message reads {@code "file:line: field 'chosen': reason"}. */
public final class DataFormatException extends RuntimeException {

    private final transient BadRow row;

    /** Wraps a bad row; the message is {@link BadRow#message()}. */
    public DataFormatException(BadRow row) {
        super(row.message());
        this.row = row;
    }

    /** The bad row this exception reports. */
    public BadRow row() {
        return row;
    }
}
