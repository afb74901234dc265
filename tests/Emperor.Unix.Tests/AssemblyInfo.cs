using Xunit.Sdk;
using Xunit.v3;

// These tests start real processes and check process-wide state (this process's fds and zombie
// children), which tests running alongside would disturb; on a 2-core machine they are also
// steadier one at a time. Each test still awaits conditions with deadlines, never fixed sleeps.
[assembly: Parallelization(Mode = ParallelMode.None)]
