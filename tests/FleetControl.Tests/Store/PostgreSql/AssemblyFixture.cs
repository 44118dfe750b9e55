// One private PostgreSQL cluster for the whole test assembly; each test takes its own database.
[assembly: AssemblyFixture(typeof(EdgeGateway.Testing.PostgreSqlCluster))]
