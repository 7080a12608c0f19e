using System.Diagnostics;

namespace WcLayer;

/// <summary>The one activity source of the library; operations name their activities like hcsshim's spans.</summary>
internal static class WcLayerActivitySource
{
    /// <summary>The source name listeners subscribe to.</summary>
    internal const string Name = "WcLayer";

    internal static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Marks a failed operation the way hcsshim HEAD's OpenTelemetry spans do: status Error with the message and the
    /// exception recorded. Success leaves the status Unset.
    /// </summary>
    internal static void SetError(this Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }
}
