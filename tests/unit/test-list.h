/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one list of native unit tests (an X-macro, as libuv's test/test-list.h).  A test
 * `TEST(name)` in tests/unit/test-<module>.c is listed here as `X(name)`; add new lines above the
 * closing comment, grouped by module. */
#ifndef QGA_TESTS_TEST_LIST_H
#define QGA_TESTS_TEST_LIST_H

#define UNIT_TESTS(X) \
    X(json_values_build_and_clone) \
    X(json_parses_scalars_and_containers) \
    X(json_parse_error_texts) \
    X(json_single_quotes_and_escapes) \
    X(json_unicode_escapes_and_surrogates) \
    X(json_rejects_invalid_utf8) \
    X(json_integers_int64_uint64_double) \
    X(json_stray_0xff_resets) \
    X(json_recovery_skips_to_structural) \
    X(json_nesting_limit) \
    X(json_token_count_limit) \
    X(json_token_size_limit) \
    X(json_message_size_limit) \
    X(json_chunked_input_at_every_split) \
    X(json_duplicate_keys_in_big_object) \
    X(json_parse_one_value) \
    X(json_writer_escapes) \
    X(json_writer_numbers) \
    X(json_writer_batches_small_pieces) \
    X(json_big_string_round_trip) \
    X(base64_rfc4648_vectors) \
    X(base64_rejects_invalid) \
    X(base64_round_trip) \
    X(error_classes_and_texts) \
    X(dispatch_success_replies) \
    X(dispatch_echoes_ids_of_every_type) \
    X(dispatch_request_errors) \
    X(dispatch_request_error_order) \
    X(dispatch_argument_errors) \
    X(dispatch_int_args_fit_int64) \
    X(dispatch_typed_args) \
    X(dispatch_handler_errors_and_silence) \
    X(dispatch_parse_errors_have_no_id) \
    X(dispatch_pipelined_in_order) \
    X(dispatch_filter_combinations) \
    X(dispatch_disabled_command_reply) \
    X(dispatch_name_lists) \
    X(dispatch_table_is_sorted_and_valid) \
    X(protocol_sync_and_delimited) \
    X(protocol_ping_logs) \
    X(protocol_guest_info) \
    X(protocol_resync_after_garbage) \
    /* add new tests above this line */

#endif
