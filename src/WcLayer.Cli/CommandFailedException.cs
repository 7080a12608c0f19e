namespace WcLayer.Cli;

/// <summary>
/// A failure already worded for the user (what is wrong with which path, and what to do); printed as is. The
/// library's exception, with its HCS code, stays the inner exception for <c>--verbose</c>.
/// </summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
