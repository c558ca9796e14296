// Every test class shares one redis-server and one fake Conversations (EdgeCollection), so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
