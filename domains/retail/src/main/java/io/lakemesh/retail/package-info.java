package io.lakemesh.retail;
