using Emperor.Postgres.Tests;
using Xunit.Sdk;
using Xunit.v3;

// One PostgreSQL cluster for the whole run (initdb costs a second or two); each test uses its own database.
[assembly: AssemblyFixture(typeof(PostgresCluster))]

// The outage tests stop that cluster, the latency test measures; on a 2-core machine the tests are also steadier
// one at a time. Each still awaits conditions with deadlines, never fixed sleeps.
[assembly: Parallelization(Mode = ParallelMode.None)]
