package dev.airlock.proxy.cli;

/** What one admin subcommand works with: the API client, the output, and the terminal's context. */
record AdminSession(AdminClient client, AdminOutput output, CliContext ctx) {
}
