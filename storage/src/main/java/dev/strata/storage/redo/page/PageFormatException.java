package dev.strata.storage.redo.page;

import dev.strata.storage.redo.RedoException;

/**
 * A page's header or line pointers are not what an operation needs (PostgreSQL's "corrupted page pointers",
 * "invalid index offnum", ...). The message names the page fields involved; the redo dispatcher adds the LSN,
 * relation, block and record type.
 */
public class PageFormatException extends RedoException {
    public PageFormatException(String message) {
        super(message);
    }
}
