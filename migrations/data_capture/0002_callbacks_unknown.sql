-- A feed bridge line that is not JSON, or names no known callback type, is still
-- logged (FAILED, with the error and the raw line) instead of being lost: it needs
-- a callback_type, so UNKNOWN joins the five ProfitDLL callbacks.
ALTER TABLE data_capture.profitdll_callbacks
    DROP CONSTRAINT profitdll_callbacks_callback_type_check;
ALTER TABLE data_capture.profitdll_callbacks
    ADD CONSTRAINT profitdll_callbacks_callback_type_check CHECK (
        callback_type IN ('STATE', 'TRADE', 'OFFER_BOOK', 'PRICE_DEPTH', 'ORDER', 'UNKNOWN'));
