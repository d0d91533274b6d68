package io.dpo4j.data;

/** Internal: a problem with one field of one row, turned into a {@link BadRow} by the reader. */
final class RowProblem extends Exception {

    private final String field;

    RowProblem(String field, String reason) {
        super(reason, null, false, false);
        this.field = field;
    }

    String field() {
        return field;
    }

    String reason() {
        return getMessage();
    }
}
