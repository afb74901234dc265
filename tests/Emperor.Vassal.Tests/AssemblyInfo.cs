using Emperor.Vassal.Tests;
using Xunit.Sdk;
using Xunit.v3;

// These tests start real processes, bind real ports and check process-wide state (this process's
// zombie children, /proc/net), which tests running alongside would disturb; on a 2-core machine they
// are also steadier one at a time. Each test still awaits conditions with deadlines, never fixed sleeps.
[assembly: Parallelization(Mode = ParallelMode.None)]
[assembly: AssemblyFixture(typeof(ThrowawayAccount))]
