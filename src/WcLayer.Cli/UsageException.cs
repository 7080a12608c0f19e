namespace WcLayer.Cli;

/// <summary>The command line is well-formed but asks for something the command cannot do; the message says what to type instead.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
