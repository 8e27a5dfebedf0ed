using Mono.Unix.Native;

namespace Pipeline;

/// <summary>
/// What kind of file a path is, without opening it: opening a FIFO named x.jpg for reading would
/// wait for a writer forever, and a device would stream without end.
/// </summary>
public static class FileKinds
{
    /// <summary>Refuses anything but a regular file, naming the path and what it is.</summary>
    public static void Require(string path)
    {
        if (Describe(path) is { } kind) throw new InputException($"{path}: {kind}");
    }

    /// <summary>The length of the file a path names, following links (FileInfo.Length is the link's own).</summary>
    public static long Length(string path) =>
        Syscall.stat(path, out var status) == 0 ? status.st_size : throw new InputException($"{path}: no such file");

    /// <summary>Null for a regular file (or a link to one: stat follows links, as opening does), else what it is instead.</summary>
    public static string? Describe(string path)
    {
        if (Syscall.stat(path, out var status) != 0) return Stdlib.GetLastError() == Errno.EACCES ? "permission denied" : "no such file";
        return (status.st_mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFREG => null,
            FilePermissions.S_IFDIR => "a folder, not a regular file",
            FilePermissions.S_IFIFO => "a FIFO, not a regular file",
            FilePermissions.S_IFCHR or FilePermissions.S_IFBLK => "a device, not a regular file",
            FilePermissions.S_IFSOCK => "a socket, not a regular file",
            _ => "not a regular file",
        };
    }
}
