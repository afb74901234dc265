using Emperor.Monitors.Tests;
using Xunit.Sdk;
using Xunit.v3;

// One RabbitMQ node for the whole run (it takes seconds to boot); each test uses its own vhost.
[assembly: AssemblyFixture(typeof(RabbitBroker))]

// On a 2-core machine the broker, Emperors and uWSGI are steadier one test at a time; each still awaits conditions
// with deadlines, never fixed sleeps.
[assembly: Parallelization(Mode = ParallelMode.None)]
