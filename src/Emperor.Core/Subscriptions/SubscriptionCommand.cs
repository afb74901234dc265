namespace Emperor.Core.Subscriptions;

/// <summary>What a subscription packet asks for: uWSGI reads modifier2 0 as subscribe and anything else as unsubscribe.</summary>
internal enum SubscriptionCommand
{
    Subscribe,
    Unsubscribe,
}
