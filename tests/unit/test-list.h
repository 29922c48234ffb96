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
    X(keyfile_reads_groups_and_keys) \
    X(keyfile_trims_blanks_around_key_and_value) \
    X(keyfile_accepts_crlf_and_bom) \
    X(keyfile_last_duplicate_key_wins) \
    X(keyfile_gkeyfile_escapes) \
    X(keyfile_quoted_values_are_literal) \
    X(keyfile_rejects_malformed_lines) \
    X(keyfile_failed_parse_leaves_output_empty) \
    X(keyfile_booleans_as_gkeyfile) \
    X(keyfile_escape_round_trips) \
    X(keyfile_path_unescape_and_raw_values) \
    X(config_reads_every_general_key) \
    X(config_known_keys) \
    X(config_rejects_bad_booleans_naming_key_and_line) \
    X(config_command_line_overrides_scalars_and_lists_accumulate) \
    X(config_defaults_fill_only_what_is_unset) \
    X(config_method_support) \
    X(config_dump_layout_and_round_trip) \
    X(config_paths_take_only_doubled_backslash_as_escape) \
    X(options_immediate_actions) \
    X(options_action_precedence) \
    X(options_getopt_messages) \
    X(options_forms_of_arguments) \
    X(options_names_and_paths) \
    X(cmdline_quotes_only_when_needed) \
    X(cmdline_escapes_quotes_and_backslashes) \
    X(cmdline_program_is_always_quoted) \
    X(cmdline_split_follows_msvcrt_rules) \
    X(cmdline_quote_then_split_round_trips) \
    X(file_mode_every_fopen_mode) \
    X(file_mode_rejects_invalid) \
    X(file_whence_codes_and_names) \
    X(exec_capture_parse) \
    X(exec_output_caps_at_16_mib) \
    X(exec_status_split) \
    X(ssh_key_check) \
    X(ssh_key_file_parse_crlf_and_last_line) \
    X(ssh_key_file_add_dedups) \
    X(ssh_key_file_remove) \
    X(ssh_key_file_keys_in_order) \
    X(guest_time_to_filetime) \
    X(power_mode_parse) \
    X(fstrim_output_error) \
    /* add new tests above this line */

#endif
