"""The service layer: each domain's services load through the repositories, decide with the domain's pure
rules, commit, and publish. They take the repositories they use as arguments (functions/wiring builds them)."""
