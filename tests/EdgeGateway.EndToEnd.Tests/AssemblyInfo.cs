// Each end-to-end test runs several real processes; on a 2-core CI machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
