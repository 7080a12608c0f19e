using System.Text;

namespace WcLayer.Hcs;

/// <summary>
/// The caller's token lacks a privilege an operation needs. The message has go-winio's <c>PrivilegeError</c> shape:
/// <c>Could not enable privilege "Back up files and directories"</c>, or <c>privileges "A", "B"</c> for several.
/// </summary>
public sealed class PrivilegeException : UnauthorizedAccessException
{
    /// <summary>Creates the exception for the privileges that could not be enabled.</summary>
    /// <param name="privileges">The programmatic names, e.g. <c>SeBackupPrivilege</c>.</param>
    /// <param name="displayNames">The display names, in the same order, as the system reports them.</param>
    public PrivilegeException(IReadOnlyList<string> privileges, IReadOnlyList<string> displayNames)
        : base(FormatMessage(displayNames))
    {
        Privileges = privileges;
        HResult = Win32Error.ToHResult(Win32Error.NotAllAssigned);
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public PrivilegeException(string message)
        : base(message)
    {
        Privileges = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PrivilegeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Privileges = [];
    }

    /// <summary>Creates the exception with a default message.</summary>
    public PrivilegeException()
        : this("Could not enable a privilege.")
    {
    }

    /// <summary>The programmatic names of the privileges that are not held, e.g. <c>SeRestorePrivilege</c>.</summary>
    public IReadOnlyList<string> Privileges { get; }

    private static string FormatMessage(IReadOnlyList<string> displayNames)
    {
        var text = new StringBuilder(displayNames.Count > 1 ? "Could not enable privileges " : "Could not enable privilege ");
        for (int i = 0; i < displayNames.Count; i++)
        {
            text.Append(i == 0 ? "\"" : ", \"").Append(displayNames[i]).Append('"');
        }

        return text.ToString();
    }
}
