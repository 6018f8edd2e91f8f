# Reprints each failed test's own output (its error and stack, up to `keep` lines) and each error
# bun reports between tests from a `bun test` log, so the end of a long run (all a CI log may keep)
# says why a test failed, not only which.
#   awk -v keep=60 -f scripts/test-failures.awk LOG
function print_kept(   i) {
  for (i = (n > keep ? n - keep : 0); i < n; i++) print kept[i % keep]
}
/^# Unhandled error/ { unhandled = 1 }
unhandled { print; if (/^-+$/ && ++dashes == 2) { unhandled = 0; dashes = 0 } next }
/^\((pass|skip|todo)\) / || /^[^ ].*\.test\.[jt]sx?:$/ { n = 0; next }
/^ *[0-9]+ tests? failed:$/ { summary = 1 }
/^\(fail\) / { if (!summary) { print "--- " $0; print_kept() } n = 0; next }
{ kept[n % keep] = $0; n++ }
